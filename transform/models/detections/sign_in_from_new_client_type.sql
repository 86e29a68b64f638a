-- A sign-in with a client type ("Browser", "Mac", "iOS"...) the user has not signed in with
-- in the 30 days before it. Judged only for a user with at least one sign-in in those 30
-- days (otherwise every first sign-in fires). Zoom writes "win" and "Windows" both: they
-- are different client types here, as Zoom wrote them.
{{ config(materialized='view') }}
{%- set days = var('detections_sign_in_history_days', 30) %}
with sign_ins as (
    select lw_id, time, email, ip_address, client_type, version
    from {{ source('zoom_logs', 'activity_logs') }}
    where type = 'Sign in' and email is not null and time is not null
),
judged as (
    select
        s.lw_id,
        count(p.lw_id) as sign_ins_before,
        sum(case when p.client_type = s.client_type then 1 else 0 end) as with_this_client
    from sign_ins as s
    join sign_ins as p
      on p.email = s.email
     and p.time < s.time
     and p.time >= s.time - interval '{{ days }} days'
     and p.client_type is not null
    where s.client_type is not null
    group by s.lw_id
)
select
    'sign_in_from_new_client_type' as detection,
    s.time,
    s.email,
    s.ip_address,
    s.client_type,
    s.version,
    judged.sign_ins_before,
    s.lw_id
from sign_ins as s
join judged on judged.lw_id = s.lw_id
where judged.with_this_client = 0
