-- Account-setting changes (operation_logs, category Account, action Update) outside the
-- account's usual hours. Not a Panther rule. The usual hours are learned from the account's
-- own history: the account-setting changes of the 30 days before (a table holds one
-- account). A change fires when fewer than `detections_usual_hours_min_share` (default 0.02,
-- 2 %) of those changes fell within `detections_usual_hours_tolerance` (default 2) hours of
-- its time of day (UTC, wrapping at midnight), and only once the 30 days hold at least
-- `detections_usual_hours_min_history` (default 20) changes: with less, nothing is usual
-- yet and nothing fires (a new account, the first weeks after the first load).
-- An incremental table (macros/detections_incremental.sql): each change is judged once, when
-- it arrives, against the 30 days before its own time; a finding stays.
{{ config(**detections_incremental_config('operation_logs')) }}
{%- set min_share = var('detections_usual_hours_min_share', 0.02) -%}
{%- set tolerance = var('detections_usual_hours_tolerance', 2) -%}
{%- set min_history = var('detections_usual_hours_min_history', 20) %}
with changes as (
    select lw_id, time, extract(hour from time) as hour_of_day
    from {{ zoom_log('operation_logs') }} as entry
    where category_type = 'Account' and action = 'Update' and time is not null
),
judged as (
    select * from changes as c where 1 = 1 {{ detections_not_judged('c') }}
),
-- The changes that can be in a judged change's 30 days.
recent as (
    select * from changes
    where time >= (select min(time) from judged) - interval '30 days'
),
history as (
    select
        change.lw_id,
        count(past.lw_id) as changes_in_30_days,
        sum(case when least(abs(past.hour_of_day - change.hour_of_day),
                            24 - abs(past.hour_of_day - change.hour_of_day)) <= {{ tolerance }}
                 then 1 else 0 end) as changes_near_this_hour
    from judged as change
    left join recent as past
      on past.time < change.time
     and past.time >= change.time - interval '30 days'
    group by change.lw_id
)
select
    {{ detections_operation_evidence('account_setting_change_off_hours') }},
    cast(extract(hour from time) as integer) as hour_of_day,
    changes_in_30_days,
    changes_near_this_hour
from (
    select entry.*, history.changes_in_30_days, history.changes_near_this_hour
    from {{ zoom_log('operation_logs') }} as entry
    join history on history.lw_id = entry.lw_id
    where history.changes_in_30_days >= {{ min_history }}
      and history.changes_near_this_hour < {{ min_share }} * history.changes_in_30_days
) as off_hours
