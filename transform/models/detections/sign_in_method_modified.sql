-- Follows Panther's rule Zoom.Sign.In.Method.Modified (pypanther ZoomSignInMethodModified):
-- Account / Update whose detail starts "Sign-in Methods  - Allow users to sign in with "
-- and ends "from Off to On" (rtrim'd): a new way in was opened. `sign_in_service` is the
-- service named (Google, Apple ID...), as Panther's title takes it.
{{ config(materialized='view') }}
select
    {{ detections_operation_evidence('sign_in_method_modified') }},
    trim({{ detections_capture('operation_detail', 'sign in with ([^:]+):') }}) as sign_in_service
from {{ zoom_log('operation_logs') }} as entry
where category_type = 'Account'
  and action = 'Update'
  and starts_with(operation_detail, 'Sign-in Methods  - Allow users to sign in with ')
  and rtrim(operation_detail) like '%from Off to On'
