{#- JSON and text functions the models need, one SQL per warehouse (adapter.dispatch):
    PostgreSQL's jsonb and POSIX regular expressions, DuckDB's JSON extension and RE2. -#}

{% macro json_object(pairs) %}
  {#- A JSON object from (key, SQL expression) pairs. A NULL value is kept here and dropped
      by json_without_nulls() around the whole event. -#}
  {{ return(adapter.dispatch('json_object')(pairs)) }}
{% endmacro %}

{% macro postgres__json_object(pairs) -%}
  jsonb_build_object(
    {%- for key, value in pairs %}
    '{{ key }}', {{ value }}{{ ',' if not loop.last }}
    {%- endfor %})
{%- endmacro %}

{% macro duckdb__json_object(pairs) -%}
  json_object(
    {%- for key, value in pairs %}
    '{{ key }}', {{ value }}{{ ',' if not loop.last }}
    {%- endfor %})
{%- endmacro %}


{% macro json_without_nulls(expression) %}
  {#- `expression` (a JSON object) without its NULL members, at every depth: what Zoom does
      not say is left out of the event, not written as null. -#}
  {{ return(adapter.dispatch('json_without_nulls')(expression)) }}
{% endmacro %}

{% macro postgres__json_without_nulls(expression) -%}
  jsonb_strip_nulls({{ expression }})
{%- endmacro %}

{% macro duckdb__json_without_nulls(expression) -%}
  {#- DuckDB 1.2 has no strip-nulls: an RFC 7396 merge patch removes the members whose
      value is null, recursively, which is the same thing. -#}
  json_merge_patch('{}', {{ expression }})
{%- endmacro %}


{% macro epoch_milliseconds(expression) %}
  {#- OCSF's `time`: milliseconds since the epoch, of a UTC timestamp without time zone. -#}
  {{ return(adapter.dispatch('epoch_milliseconds')(expression)) }}
{% endmacro %}

{% macro postgres__epoch_milliseconds(expression) -%}
  cast(round(extract(epoch from {{ expression }}) * 1000) as bigint)
{%- endmacro %}

{% macro duckdb__epoch_milliseconds(expression) -%}
  epoch_ms({{ expression }})
{%- endmacro %}


{% macro regex_first(expression, pattern) %}
  {#- The first match of `pattern` in `expression`, NULL when none. -#}
  {{ return(adapter.dispatch('regex_first')(expression, pattern)) }}
{% endmacro %}

{% macro postgres__regex_first(expression, pattern) -%}
  substring({{ expression }} from '{{ pattern }}')
{%- endmacro %}

{% macro duckdb__regex_first(expression, pattern) -%}
  nullif(regexp_extract({{ expression }}, '{{ pattern }}'), '')
{%- endmacro %}


{% macro regex_test(expression, pattern) %}
  {#- Whether `expression` matches `pattern` (anchor it to test the whole value). -#}
  {{ return(adapter.dispatch('regex_test')(expression, pattern)) }}
{% endmacro %}

{% macro postgres__regex_test(expression, pattern) -%}
  ({{ expression }} ~ '{{ pattern }}')
{%- endmacro %}

{% macro duckdb__regex_test(expression, pattern) -%}
  regexp_matches({{ expression }}, '{{ pattern }}')
{%- endmacro %}
