{#- Small helpers of the detection views (models/detections/), one SQL for PostgreSQL and
    DuckDB: regular expressions differ in name, and an optional log may have no table. -#}

{#- Whether `text` matches `pattern` (a regular expression both engines read alike). -#}
{% macro detections_matches(text, pattern) -%}
  {{ return(adapter.dispatch('detections_matches')(text, pattern)) }}
{%- endmacro %}
{% macro default__detections_matches(text, pattern) -%}
  ({{ text }} ~ '{{ pattern }}')
{%- endmacro %}
{% macro duckdb__detections_matches(text, pattern) -%}
  regexp_matches({{ text }}, '{{ pattern }}')
{%- endmacro %}

{#- Capture group `group` of `pattern` in `text`, null when it does not match. -#}
{% macro detections_capture(text, pattern, group=1) -%}
  {{ return(adapter.dispatch('detections_capture')(text, pattern, group)) }}
{%- endmacro %}
{% macro default__detections_capture(text, pattern, group) -%}
  (regexp_match({{ text }}, '{{ pattern }}'))[{{ group }}]
{%- endmacro %}
{% macro duckdb__detections_capture(text, pattern, group) -%}
  case when regexp_matches({{ text }}, '{{ pattern }}')
    then regexp_extract({{ text }}, '{{ pattern }}', {{ group }}) end
{%- endmacro %}

{#- The operation-log evidence columns every per-entry detection shows: who, when, what,
    and the first changed setting parsed out of Zoom's "Section  - Setting: from A to B". -#}
{% macro detections_operation_evidence(detection) -%}
    '{{ detection }}' as detection,
    time,
    operator,
    category_type,
    action,
    operation_detail,
    trim({{ detections_capture('operation_detail', '  - ([^:]+): from ') }}) as setting,
    trim({{ detections_capture('operation_detail', ': from ([^:]*) to ') }}) as from_value,
    trim(split_part({{ detections_capture('operation_detail', ': from [^:]* to ([^:]*)') }}, ' - ', 1)) as to_value,
    lw_id
{%- endmacro %}

{#- A log table that may be missing (its stream not selected): the relation, or none. -#}
{% macro detections_optional_source(table) -%}
  {%- set relation = adapter.get_relation(
      database=source('zoom_logs', table).database,
      schema=source('zoom_logs', table).schema,
      identifier=source('zoom_logs', table).identifier) -%}
  {{ return(relation) }}
{%- endmacro %}

{#- Panther's privileged Zoom roles (ZoomUserPromotedtoPrivilegedRole.PRIVILEGED_ROLES). -#}
{% macro detections_privileged_roles() -%}
  'Admin', 'Co-Owner', 'Owner', 'Billing Admin'
{%- endmacro %}
