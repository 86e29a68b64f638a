{#- OCSF's type_uid is class_uid * 100 + activity_id: rows where it is not. -#}
{% test type_uid_is_class_and_activity(model) %}
select lw_id, class_uid, activity_id, type_uid
from {{ model }}
where type_uid is null or type_uid <> class_uid * 100 + activity_id
{% endtest %}
