{#- Zoom Contact Center's admin operation logs as OCSF Account Change (3001) and Entity
    Management (3004) events: see macros/ocsf_admin_operations.sql. Zoom's own id of the
    entry is metadata.original_event_uid; the object it names is the entity's name; region
    and team have no field in either class and go to `unmapped`. -#}
{{ config(**ocsf_model_config()) }}

{{ ocsf_admin_operations(
    'contact_center_operation_logs',
    category='category',
    account_categories=['Users', 'Roles'],
    object_name='object_name',
    original_uid='operation_log_id',
    more_unmapped=[
        ('agent_region_id', 'agent_region_id'),
        ('agent_region_name', 'agent_region_name'),
        ('team_id', 'team_id'),
        ('team_name', 'team_name'),
    ],
) }}
