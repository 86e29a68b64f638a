-- One user signing in from more addresses within an hour than a person uses: at least
-- `detections_many_ips_threshold` (default 4) distinct IP addresses within
-- `detections_many_ips_window_minutes` (default 60) minutes (shared credentials, a
-- credential-stuffing success, a token replayed from several places). Overlapping windows
-- make one row, with every sign-in's lw_id and the addresses.
{{ config(materialized='view') }}
{%- set threshold = var('detections_many_ips_threshold', 4) -%}
{%- set window = "interval '" ~ var('detections_many_ips_window_minutes', 60) ~ " minutes'" %}
with sign_ins as (
    select lw_id, time, email, ip_address
    from {{ zoom_log('activity_logs') }} as entry
    where type = 'Sign in' and email is not null and ip_address is not null and time is not null
),
full_windows as (
    select opener.email, opener.time as window_start
    from sign_ins as opener
    join sign_ins as other
      on other.email = opener.email
     and other.time >= opener.time
     and other.time < opener.time + {{ window }}
    group by opener.email, opener.lw_id, opener.time
    having count(distinct other.ip_address) >= {{ threshold }}
),
in_bursts as (
    select distinct s.*
    from full_windows as w
    join sign_ins as s
      on s.email = w.email
     and s.time >= w.window_start
     and s.time < w.window_start + {{ window }}
),
marked as (
    select *,
        case when lag(time) over (partition by email order by time, lw_id) >= time - {{ window }}
             then 0 else 1 end as opens_burst
    from in_bursts
),
numbered as (
    select *,
        sum(opens_burst) over (partition by email order by time, lw_id
                               rows between unbounded preceding and current row) as burst
    from marked
)
select
    'sign_ins_from_many_ip_addresses' as detection,
    email,
    min(time) as first_time,
    max(time) as last_time,
    count(distinct ip_address) as ip_addresses,
    count(*) as sign_ins,
    array_agg(distinct ip_address order by ip_address) as ip_address_list,
    array_agg(lw_id order by time, lw_id) as lw_ids
from numbered
group by email, burst
