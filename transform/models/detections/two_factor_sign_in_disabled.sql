-- Follows Panther's rule Zoom.Two.Factor.Authentication.Disabled (pypanther
-- ZoomTwoFactorAuthenticationDisabled): an Account / Update entry whose detail is exactly
-- "Security  - Sign in with Two-Factor Authentication: from On to Off". One row per entry.
-- Unlike Panther, a trailing space (Zoom writes some) does not hide it: rtrim.
{{ config(materialized='view') }}
select {{ detections_operation_evidence('two_factor_sign_in_disabled') }}
from {{ zoom_log('operation_logs') }} as entry
where category_type = 'Account'
  and action = 'Update'
  and rtrim(operation_detail) = 'Security  - Sign in with Two-Factor Authentication: from On to Off'
