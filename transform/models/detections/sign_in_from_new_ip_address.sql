-- A sign-in from an IP address the user had not signed in from in the
-- `detections_sign_in_history_days` (default 30) days before it (activity_logs, type
-- "Sign in"). Judged only for a user with at least one sign-in with an address in those days:
-- otherwise every user's first sign-in (and every sign-in after a month away) would fire,
-- since nothing is known to compare with. Sign-outs neither fire nor count as history.
-- Panther's nearest is its standard unusual-login rule; this is a per-user baseline.
-- Window functions, not a self-join: each sign-in looks at the user's previous sign-in
-- and the previous one from this address, so the cost grows with the rows, not with their
-- square (a busy user signs in thousands of times a month). One row per sign-in.
{{ config(materialized='view') }}
{%- set days = var('detections_sign_in_history_days', 30) %}
with sign_ins as (
    select lw_id, time, email, ip_address, client_type, version
    from {{ source('zoom_logs', 'activity_logs') }}
    where type = 'Sign in' and email is not null and time is not null
      and ip_address is not null
),
-- One row per moment, so that "before" is strictly before (same-second sign-ins are not
-- each other's history).
user_moments as (
    select email, time, lag(time) over (partition by email order by time) as previous_sign_in
    from (select distinct email, time from sign_ins) as moments
),
address_moments as (
    select email, ip_address, time,
        lag(time) over (partition by email, ip_address order by time) as address_last_seen
    from (select distinct email, ip_address, time from sign_ins) as moments
)
select
    'sign_in_from_new_ip_address' as detection,
    s.time,
    s.email,
    s.ip_address,
    s.client_type,
    s.version,
    u.previous_sign_in,
    k.address_last_seen,
    s.lw_id
from sign_ins as s
join user_moments as u on u.email = s.email and u.time = s.time
join address_moments as k on k.email = s.email and k.ip_address = s.ip_address and k.time = s.time
where u.previous_sign_in >= s.time - interval '{{ days }} days'
  and (k.address_last_seen is null or k.address_last_seen < s.time - interval '{{ days }} days')
