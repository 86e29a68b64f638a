-- A sign-in with a client type ("Browser", "Mac", "iOS"...) the user had not signed in with in the
-- `detections_sign_in_history_days` (default 30) days before it (activity_logs, type
-- "Sign in"). Judged only for a user with at least one sign-in with a client type in those days:
-- otherwise every user's first sign-in (and every sign-in after a month away) would fire,
-- since nothing is known to compare with. Sign-outs neither fire nor count as history.
-- Zoom writes "win" and "Windows" both: different client types here, as Zoom wrote them.
-- Window functions, not a self-join: each sign-in looks at the user's previous sign-in
-- and the previous one with this client, so the cost grows with the rows, not with their
-- square (a busy user signs in thousands of times a month). One row per sign-in.
{{ config(materialized='view') }}
{%- set days = var('detections_sign_in_history_days', 30) %}
with sign_ins as (
    select lw_id, time, email, ip_address, client_type, version
    from {{ source('zoom_logs', 'activity_logs') }}
    where type = 'Sign in' and email is not null and time is not null
      and client_type is not null
),
-- One row per moment, so that "before" is strictly before (same-second sign-ins are not
-- each other's history).
user_moments as (
    select email, time, lag(time) over (partition by email order by time) as previous_sign_in
    from (select distinct email, time from sign_ins) as moments
),
client_moments as (
    select email, client_type, time,
        lag(time) over (partition by email, client_type order by time) as client_last_seen
    from (select distinct email, client_type, time from sign_ins) as moments
)
select
    'sign_in_from_new_client_type' as detection,
    s.time,
    s.email,
    s.ip_address,
    s.client_type,
    s.version,
    u.previous_sign_in,
    k.client_last_seen,
    s.lw_id
from sign_ins as s
join user_moments as u on u.email = s.email and u.time = s.time
join client_moments as k on k.email = s.email and k.client_type = s.client_type and k.time = s.time
where u.previous_sign_in >= s.time - interval '{{ days }} days'
  and (k.client_last_seen is null or k.client_last_seen < s.time - interval '{{ days }} days')
