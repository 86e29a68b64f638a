-- Follows Panther's rule Zoom.Sign.In.Requirements.Changed (pypanther
-- ZoomSignInRequirementsChanged): Account / Update whose detail contains both
-- "Sign-In Password Requirement" and "On to Off" (a password rule was dropped). The
-- columns parse the first change; operation_detail holds them all.
{{ config(materialized='view') }}
select {{ detections_operation_evidence('sign_in_requirements_changed') }}
from {{ zoom_log('operation_logs') }} as entry
where category_type = 'Account'
  and action = 'Update'
  and strpos(operation_detail, 'Sign-In Password Requirement') > 0
  and strpos(operation_detail, 'On to Off') > 0
