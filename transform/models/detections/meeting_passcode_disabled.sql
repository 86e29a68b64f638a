-- Follows Panther's rule Zoom.PasscodeDisabled (pypanther ZoomPasscodeDisabled, with its
-- helper get_zoom_usergroup_context): a User Group / Update entry whose change (the text
-- between the first and second "-") names a Passcode and says "On to Off", e.g.
-- "Edit Group Springfield  - Personal Meeting ID (PMI) Passcode: from On to Off".
{{ config(materialized='view') }}
select {{ detections_operation_evidence('meeting_passcode_disabled') }}
from {{ zoom_log('operation_logs') }} as entry
where category_type = 'User Group'
  and action = 'Update'
  and strpos(split_part(operation_detail, '-', 2), 'Passcode') > 0
  and strpos(split_part(operation_detail, '-', 2), 'On to Off') > 0
