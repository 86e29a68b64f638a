-- A sign-in from an IP address the user had not signed in from in the
-- `detections_sign_in_history_days` (default 30) days before it (activity_logs, type
-- "Sign in"). Judged only for a user with at least one sign-in with an address in those days:
-- otherwise every user's first sign-in (and every sign-in after a month away) would fire,
-- since nothing is known to compare with. Sign-outs neither fire nor count as history.
-- Panther's nearest is its standard unusual-login rule; this is a per-user baseline.
-- An incremental table (macros/detections_incremental.sql): each sign-in is judged once,
-- when it arrives, against the 30 days before its own time; a finding stays. Window
-- functions over the new sign-ins' users' month, not a self-join: the cost grows with
-- the rows, not with their square. One row per finding.
{{ config(**detections_incremental_config('activity_logs')) }}
{{ detections_new_sign_in_attribute('sign_in_from_new_ip_address', 'ip_address') }}
