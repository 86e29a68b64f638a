{% macro ocsf_admin_operations(table, category, account_categories, object_name=none, original_uid=none, more_unmapped=[]) %}
  {#- An admin operation log (`table`) as OCSF events, one class per kind of change:

      * Account Change (3001), "a user/role being created, changed, deleted, renamed,
        disabled, enabled...": an entry of a user or role category (`account_categories`)
        whose operation_detail names the account changed (an e-mail address), which is the
        class's required `user`;
      * Entity Management (3004), "a create, read, update, and delete operation on a
        managed entity" by "a user at a management console": every other change (settings,
        recordings, rooms, phone numbers, queues...), and a role change that names no
        account. The entity is what Zoom's category names (its `type`), and its name the
        object Zoom names (Contact Center's object_name) or else the category itself:
        OCSF requires a name or uid and Zoom gives nothing else.

      Not API Activity (6003): it requires the caller's src_endpoint and the API operation,
      neither of which Zoom's operation logs carry. Zoom's category and action labels are
      kept verbatim in `unmapped`; operation_detail is the event's `message`. -#}
with entries as (
    select log.*
    from {{ zoom_log(table) }} as log
    {{ only_new_entries('log') }}
),

parsed as (
    select
        entries.*,
        {{ category }} as entity_type,
        lower(trim(action)) as verb,
        {{ regex_first('operation_detail', email_in_text_pattern()) }} as named_account
    from entries
),

classified as (
    select
        parsed.*,
        case
            when entity_type in ('{{ account_categories | join("', '") }}')
                and named_account is not null then 3001
            else 3004
        end as class_uid
    from parsed
),

acted as (
    select
        classified.*,
        case
            when class_uid = 3001 then
                case
                    when verb is null then 0
                    when verb in ('add', 'create') then 1
                    when verb in ('delete', 'remove') then 6
                    when verb in ('enable', 'activate')
                        or (verb = 'update' and operation_detail like 'Activate %') then 2
                    when verb in ('disable', 'deactivate')
                        or (verb = 'update' and operation_detail like 'Deactivate %') then 5
                    when verb = 'lock' then 9
                    when verb = 'unlock' then 12
                    else 99
                end
            else
                case
                    when verb is null then 0
                    when verb in ('add', 'create') then 1
                    when verb in ('read', 'view') then 2
                    when verb in ('update', 'edit') then 3
                    when verb in ('delete', 'remove') then 4
                    when verb = 'move' then 5
                    when verb = 'enable' then 8
                    when verb = 'disable' then 9
                    when verb = 'activate' then 10
                    when verb = 'deactivate' then 11
                    when verb = 'suspend' then 12
                    when verb = 'resume' then 13
                    else 99
                end
        end as activity_id
    from classified
),

named as (
    select
        acted.*,
        case
            when class_uid = 3001 then 'Account Change'
            else 'Entity Management'
        end as class_name,
        case
            when class_uid = 3001 then
                {{ ocsf_caption('activity_id', account_change_activities(), 'action') }}
            else
                {{ ocsf_caption('activity_id', entity_management_activities(), 'action') }}
        end as activity_name,
        case
            when class_uid = 3004 then coalesce({{ object_name or 'null' }}, entity_type)
        end as entity_name
    from acted
)

select
    lw_id,
    time,
    class_uid,
    3 as category_uid,
    activity_id,
    activity_name,
    class_uid * 100 + activity_id as type_uid,
    1 as severity_id,
    operator as actor_user_name,
    case when class_uid = 3001 then named_account end as user_email,
    entity_type as zoom_category,
    entity_name,
    action as zoom_action,
    operation_detail as message,
    {{ json_without_nulls(json_object([
        ('class_uid', 'class_uid'),
        ('class_name', 'class_name'),
        ('category_uid', '3'),
        ('category_name', "'Identity & Access Management'"),
        ('activity_id', 'activity_id'),
        ('activity_name', 'activity_name'),
        ('type_uid', 'class_uid * 100 + activity_id'),
        ('type_name', "class_name || ': ' || activity_name"),
        ('severity_id', '1'),
        ('severity', "'Informational'"),
        ('time', epoch_milliseconds('time')),
        ('message', 'operation_detail'),
        ('actor', 'case when operator is not null then ' ~ json_object([('user', ocsf_user('operator'))]) ~ ' end'),
        ('user', 'case when class_uid = 3001 then ' ~ ocsf_user('named_account') ~ ' end'),
        ('entity', 'case when class_uid = 3004 then '
            ~ json_object([('name', "coalesce(entity_name, 'Unknown')"), ('type', 'entity_type')]) ~ ' end'),
        ('metadata', ocsf_metadata(table, original_uid or 'null')),
        ('unmapped', json_object([
            (category, category),
            ('action', 'action'),
        ] + ([('object_name', 'case when class_uid = 3001 then ' ~ object_name ~ ' end')] if object_name else [])
          + more_unmapped)),
    ])) }} as ocsf
from named
{% endmacro %}
