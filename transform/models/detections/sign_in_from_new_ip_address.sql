-- A sign-in from an IP address the user has not signed in from in the 30 days before it
-- (activity_logs, type "Sign in"). Only a user with at least one sign-in in those 30 days
-- is judged: otherwise every user's first sign-in (and every sign-in after a month away)
-- would fire. Sign-outs neither fire nor count as seen. One row per sign-in. Panther's
-- nearest rule is its standard unusual-login one; this is a per-user baseline instead.
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
        sum(case when p.ip_address = s.ip_address then 1 else 0 end) as from_this_address
    from sign_ins as s
    join sign_ins as p
      on p.email = s.email
     and p.time < s.time
     and p.time >= s.time - interval '{{ days }} days'
     and p.ip_address is not null
    where s.ip_address is not null
    group by s.lw_id
)
select
    'sign_in_from_new_ip_address' as detection,
    s.time,
    s.email,
    s.ip_address,
    s.client_type,
    s.version,
    judged.sign_ins_before,
    s.lw_id
from sign_ins as s
join judged on judged.lw_id = s.lw_id
where judged.from_this_address = 0
