-- Bulk deletions: one operator deleting many users or recordings in a short time (an
-- intruder wiping evidence or accounts, or a script gone wrong). Not a Panther rule.
-- A deletion is category User / Recording with action Delete in operation_logs, and, where
-- those logs are loaded, Zoom Phone's Recording / Delete and Contact Center's Users /
-- Recordings with action Delete. A burst: at least `detections_bulk_deletion_threshold`
-- (default 10) deletions by one operator within `detections_bulk_deletion_window_minutes`
-- (default 10) minutes; overlapping or touching windows make one burst. One row per burst,
-- with every deletion's lw_id.
{{ config(materialized='view') }}
{%- set threshold = var('detections_bulk_deletion_threshold', 10) -%}
{%- set window = "interval '" ~ var('detections_bulk_deletion_window_minutes', 10) ~ " minutes'" -%}
{%- set phone = detections_optional_source('phone_operation_logs') if execute else none -%}
{%- set contact_center = detections_optional_source('contact_center_operation_logs') if execute else none %}
with deletions as (
    select 'operation_logs' as log, lw_id, time, operator, category_type as category, operation_detail
    from {{ zoom_log('operation_logs') }} as entry
    where action = 'Delete' and category_type in ('User', 'Recording')
    {%- if phone is not none %}
    union all
    select 'phone_operation_logs', lw_id, time, operator, category_type, operation_detail
    from {{ phone }}
    where action = 'Delete' and category_type = 'Recording'
    {%- endif %}
    {%- if contact_center is not none %}
    union all
    select 'contact_center_operation_logs', lw_id, time, operator, category, operation_detail
    from {{ contact_center }}
    where action = 'Delete' and category in ('Users', 'Recordings')
    {%- endif %}
),
deletions_known as (
    select * from deletions where operator is not null and time is not null
),
-- Each deletion opens a window; the windows holding enough deletions are bursts.
full_windows as (
    select opener.operator, opener.time as window_start
    from deletions_known as opener
    join deletions_known as other
      on other.operator = opener.operator
     and other.time >= opener.time
     and other.time < opener.time + {{ window }}
    group by opener.operator, opener.lw_id, opener.time
    having count(*) >= {{ threshold }}
),
in_bursts as (
    select distinct d.*
    from full_windows as w
    join deletions_known as d
      on d.operator = w.operator
     and d.time >= w.window_start
     and d.time < w.window_start + {{ window }}
),
marked as (
    select *,
        case when lag(time) over (partition by operator order by time, lw_id) >= time - {{ window }}
             then 0 else 1 end as opens_burst
    from in_bursts
),
numbered as (
    select *,
        sum(opens_burst) over (partition by operator order by time, lw_id
                               rows between unbounded preceding and current row) as burst
    from marked
)
select
    'bulk_deletions' as detection,
    operator,
    min(time) as first_time,
    max(time) as last_time,
    count(*) as deletions,
    count(distinct log) as logs,
    array_agg(lw_id order by time, lw_id) as lw_ids,
    array_agg(operation_detail order by time, lw_id) as operation_details
from numbered
group by operator, burst
