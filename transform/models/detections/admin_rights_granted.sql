-- A user or a role given admin rights. Three ways Zoom's operation logs say it:
--  * Panther's derived event type ADMIN_ROLE_ASSIGNED (pypanther data model
--    Standard.Zoom.Operation): category User, action Update, "to Admin" in the detail;
--  * a role change to a privileged role (Admin, Co-Owner, Owner, Billing Admin), also from
--    another privileged one ("Change Role  - x: from Admin to Co-Owner"): unlike
--    user_promoted_to_privileged_role, any new admin power counts;
--  * category Role, "Assign role <privileged role> to <user>" (no public sample of the
--    Role category: the emulator's wording; see docs/detections.md).
{{ config(materialized='view') }}
with entries as (
    select
        {{ detections_operation_evidence('admin_rights_granted') }},
        trim({{ detections_capture('operation_detail', '^Assign role (.+) to [^ ]+ *$') }}) as assigned_role
    from {{ zoom_log('operation_logs') }} as entry
    where category_type in ('User', 'Role')
)
select *
from entries
where (category_type = 'User' and action = 'Update' and strpos(operation_detail, 'to Admin') > 0)
   or (category_type = 'User' and strpos(action, 'Update') > 0
       and to_value in ({{ detections_privileged_roles() }}))
   or (category_type = 'Role' and action in ('Add', 'Update')
       and assigned_role in ({{ detections_privileged_roles() }}))
