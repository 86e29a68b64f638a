-- Follows Panther's rule Zoom.User.Promoted.to.Privileged.Role (pypanther
-- ZoomUserPromotedtoPrivilegedRole): category User, an action containing "Update"
-- ("Batch Update"...), detail starting "Change Role", e.g.
-- "Change Role  - homer.simpson@duff.io: from User to Co-Owner", where the new role is
-- privileged (Admin, Co-Owner, Owner, Billing Admin) and the old one is not.
{{ config(materialized='view') }}
with changes as (
    select
        {{ detections_operation_evidence('user_promoted_to_privileged_role') }},
        trim({{ detections_capture('operation_detail', '  - ([^:@ ]+@[^: ]+):') }}) as target_user
    from {{ zoom_log('operation_logs') }} as entry
    where category_type = 'User'
      and strpos(action, 'Update') > 0
      and starts_with(operation_detail, 'Change Role')
)
select *
from changes
where to_value in ({{ detections_privileged_roles() }})
  and coalesce(from_value, '') not in ({{ detections_privileged_roles() }})
