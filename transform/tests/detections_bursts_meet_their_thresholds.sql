-- Every burst a detection reports holds as many entries as its threshold asks, and lasts
-- no longer than its window allows per step; a row here is a broken detection.
select 'bulk_deletions' as detection, operator as who
from {{ ref('bulk_deletions') }}
where deletions < {{ var('detections_bulk_deletion_threshold', 10) }}
   or first_time > last_time
union all
select 'sign_ins_from_many_ip_addresses', email
from {{ ref('sign_ins_from_many_ip_addresses') }}
where ip_addresses < {{ var('detections_many_ips_threshold', 4) }}
   or first_time > last_time
