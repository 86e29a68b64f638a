-- Follows Panther's rule Zoom.New.Meeting.Passcode.Required.Disabled (pypanther
-- ZoomNewMeetingPasscodeRequiredDisabled): Account / Update, detail exactly
-- "Security  - Require a passcode when scheduling new meetings: from On to Off" (rtrim'd).
{{ config(materialized='view') }}
select {{ detections_operation_evidence('new_meeting_passcode_requirement_disabled') }}
from {{ zoom_log('operation_logs') }} as entry
where category_type = 'Account'
  and action = 'Update'
  and rtrim(operation_detail) = 'Security  - Require a passcode when scheduling new meetings: from On to Off'
