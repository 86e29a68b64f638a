-- Follows Panther's rule Zoom.Automatic.Sign.Out.Disabled (pypanther
-- ZoomAutomaticSignOutDisabled): Account / Update whose detail contains
-- "Automatically sign users out after a specified time: from On to Off".
{{ config(materialized='view') }}
select {{ detections_operation_evidence('automatic_sign_out_disabled') }}
from {{ zoom_log('operation_logs') }} as entry
where category_type = 'Account'
  and action = 'Update'
  and strpos(operation_detail, 'Automatically sign users out after a specified time: from On to Off') > 0
