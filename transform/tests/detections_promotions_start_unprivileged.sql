-- Panther's rule: a promotion starts from a role that is not privileged.
select lw_id
from {{ ref('user_promoted_to_privileged_role') }}
where from_value in ({{ detections_privileged_roles() }})
