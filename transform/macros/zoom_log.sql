{#- The tap's tables as the models read them. -#}

{% macro zoom_log_columns(table) %}
  {#- Each log's own columns (all text, as the tap declares them), after lw_id and time. -#}
  {%- set operation = ['operator', 'category_type', 'action', 'operation_detail'] -%}
  {%- set columns = {
      'activity_logs': ['type', 'email', 'ip_address', 'client_type', 'version'],
      'operation_logs': operation,
      'phone_operation_logs': operation,
      'contact_center_operation_logs': [
          'operator', 'category', 'action', 'object_name', 'operation_detail',
          'operation_log_id', 'agent_region_id', 'agent_region_name', 'team_id', 'team_name'],
  } -%}
  {{ return(columns[table]) }}
{% endmacro %}


{% macro zoom_log(table) %}
  {#- The source table `table`, or, when the stream is not selected (the target created no
      table), an empty relation with the same columns: every model builds whichever logs a
      user loads, and fills up on the run after the user selects the stream. -#}
  {%- set relation = source('zoom_logs', table) -%}
  {%- if execute and adapter.get_relation(relation.database, relation.schema, relation.identifier) is none -%}
    {{ log("zoom_logs: no table " ~ relation ~ " (stream not selected): " ~ this.identifier ~ " stays empty", info=true) }}
    (select
        cast(null as {{ dbt.type_string() }}) as lw_id,
        cast(null as {{ dbt.type_timestamp() }}) as time
      {%- for column in zoom_log_columns(table) %},
        cast(null as {{ dbt.type_string() }}) as {{ column }}
      {%- endfor %}
     where 1 = 0)
  {%- else -%}
    {{ relation }}
  {%- endif -%}
{% endmacro %}


{% macro only_new_entries(alias) %}
  {#- On an incremental build, the entries whose lw_id the model does not hold yet.

      Not `time > max(time)`: entries are immutable (lw_id hashes the whole entry) but they
      do not arrive in time order. The tap's settling re-reads closed days and delivers
      entries Zoom wrote late, days after their `time`, and the targets upsert them beside
      newer rows; a high-water mark on `time` (even with a look-back of N days) would skip
      every entry later than the look-back. The targets add no loaded-at column (meltano.yml
      keeps add_record_metadata off, so the tables stay exactly Zoom's fields), so the one
      column that tells a new row from an old one is lw_id: an anti-join on the source's
      primary key and the model's unique lw_id index, which reads two indexes and writes
      only the news. -#}
  {%- if is_incremental() %}
    where not exists (select 1 from {{ this }} as built where built.lw_id = {{ alias }}.lw_id)
  {%- endif -%}
{% endmacro %}


{% macro ocsf_model_config() %}
  {#- What every OCSF model shares: incremental on lw_id; on PostgreSQL an index on lw_id
      (the anti-join above and the delete+insert look rows up by it) and one on time (the
      column every investigation filters on). DuckDB needs neither (no index config). -#}
  {%- set indexes = [
      {'columns': ['lw_id'], 'unique': true},
      {'columns': ['time']},
  ] if target.type == 'postgres' else [] -%}
  {{ return({
      'materialized': 'incremental',
      'unique_key': 'lw_id',
      'on_schema_change': 'fail',
      'indexes': indexes,
  }) }}
{% endmacro %}
