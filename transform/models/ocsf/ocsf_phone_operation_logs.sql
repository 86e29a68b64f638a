{#- Zoom Phone's admin operation logs as OCSF Account Change (3001) and Entity Management
    (3004) events: see macros/ocsf_admin_operations.sql. -#}
{{ config(**ocsf_model_config()) }}

{{ ocsf_admin_operations('phone_operation_logs', category='category_type', account_categories=['User', 'Role']) }}
