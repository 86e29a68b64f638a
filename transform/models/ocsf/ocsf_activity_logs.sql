{#- Sign-ins and sign-outs (the tap's activity_logs) as OCSF Authentication (3002) events:
    "Sign in" is Logon, "Sign out" Logoff. Zoom reports no failed sign-in, so every entry
    is a success. The service authenticated to (which OCSF requires, or a dst_endpoint) is
    Zoom. The client (client_type, version) has no field in Authentication: it goes
    to `unmapped`, with Zoom's own label of the activity. -#}
{{ config(**ocsf_model_config()) }}

with entries as (
    select log.*
    from {{ zoom_log('activity_logs') }} as log
    {{ only_new_entries('log') }}
),

classified as (
    select
        entries.*,
        case
            when type is null then 0
            when type = 'Sign in' then 1
            when type = 'Sign out' then 2
            else 99
        end as activity_id,
        case when {{ regex_test('ip_address', ip_pattern()) }} then ip_address end as src_ip
    from entries
),

named as (
    select
        classified.*,
        {{ ocsf_caption('activity_id', authentication_activities(), 'type') }} as activity_name
    from classified
)

select
    lw_id,
    time,
    3002 as class_uid,
    3 as category_uid,
    activity_id,
    activity_name,
    300200 + activity_id as type_uid,
    1 as severity_id,
    1 as status_id,
    email as user_email,
    src_ip,
    client_type,
    version as client_version,
    {{ json_without_nulls(json_object([
        ('class_uid', '3002'),
        ('class_name', "'Authentication'"),
        ('category_uid', '3'),
        ('category_name', "'Identity & Access Management'"),
        ('activity_id', 'activity_id'),
        ('activity_name', 'activity_name'),
        ('type_uid', '300200 + activity_id'),
        ('type_name', "'Authentication: ' || activity_name"),
        ('severity_id', '1'),
        ('severity', "'Informational'"),
        ('status_id', '1'),
        ('status', "'Success'"),
        ('time', epoch_milliseconds('time')),
        ('user', ocsf_user('email', required=true)),
        ('service', json_object([('name', "'Zoom'")])),
        ('src_endpoint', 'case when src_ip is not null then ' ~ json_object([('ip', 'src_ip')]) ~ ' end'),
        ('metadata', ocsf_metadata('activity_logs')),
        ('unmapped', json_object([
            ('type', 'type'),
            ('client_type', 'client_type'),
            ('version', 'version'),
            ('ip_address', 'case when src_ip is null then ip_address end'),
        ])),
    ])) }} as ocsf
from named
