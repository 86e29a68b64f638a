-- Follows Panther's rule Zoom.All.Meetings.Secured.With.One.Option.Disabled (pypanther
-- ZoomAllMeetingsSecuredWithOneOptionDisabled): Account / Update whose detail contains
-- "Require that all meetings are secured with one security option: from On to Off".
{{ config(materialized='view') }}
select {{ detections_operation_evidence('all_meetings_secured_option_disabled') }}
from {{ zoom_log('operation_logs') }} as entry
where category_type = 'Account'
  and action = 'Update'
  and strpos(operation_detail, 'Require that all meetings are secured with one security option: from On to Off') > 0
