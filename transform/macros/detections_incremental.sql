{#- The detections kept as incremental tables (the ones whose baseline reads the past: a
    sign-in's previous 30 days, the account's usual hours). A view would re-read the whole
    history on every query and every dbt test; these tables judge each source entry once,
    when it arrives, against the 30 days before its own time, and keep what they found.

    The table holds findings only, so what was judged is kept beside it: a record
    `<model>` in the schema `<detections schema>_judged` of the lw_ids of the source table the detection has judged. A build
    judges the candidates whose lw_id is not in the record (late entries with old times
    included: not a high-water mark on time, see only_new_entries), then records every
    lw_id of the source in a post-hook, in the same transaction on PostgreSQL: when the
    build fails, nothing is recorded and the next build judges the entries again. A full
    refresh (`dbt build --full-refresh`) empties the record and judges everything. -#}

{% macro detections_incremental_config(source_table) %}
  {#- The OCSF models' incremental config (ocsf_model_config), and the record of what the
      detection has judged around each build. -#}
  {%- set config = ocsf_model_config() -%}
  {%- do config.update({
      'pre_hook': ["{{ detections_judged_create() }}", "{{ detections_judged_reset() }}"],
      'post_hook': "{{ detections_judged_record('" ~ source_table ~ "') }}",
  }) -%}
  {{ return(config) }}
{% endmacro %}


{% macro detections_judged() -%}
  {#- The record of the lw_ids this detection has judged, in a schema of its own: the
      detections' schema holds the detections only (the demo lists every relation of it). -#}
  {{ return(api.Relation.create(
      database=this.database, schema=this.schema ~ '_judged', identifier=this.identifier)) }}
{%- endmacro %}


{% macro detections_judged_create() -%}
  {#- Before the build: the record exists ... -#}
  create schema if not exists {{ detections_judged().without_identifier().include(database=false) }};
  create table if not exists {{ detections_judged() }} (lw_id varchar primary key)
{%- endmacro %}


{% macro detections_judged_reset() -%}
  {#- ... and is emptied when the build judges everything (first build, full refresh). -#}
  delete from {{ detections_judged() }} where {{ 'false' if is_incremental() else 'true' }}
{%- endmacro %}


{% macro detections_judged_record(source_table) -%}
  {#- After the build: every entry of the source is judged (those that were no candidate
      too: they never will be). -#}
  insert into {{ detections_judged() }} (lw_id)
  select entry.lw_id from {{ zoom_log(source_table) }} as entry
  where entry.lw_id is not null
    and not exists (select 1 from {{ detections_judged() }} as judged where judged.lw_id = entry.lw_id)
{%- endmacro %}


{% macro detections_not_judged(alias) -%}
  {#- On an incremental build, the entries the detection has not judged yet. -#}
  {%- if is_incremental() %}
    and not exists (select 1 from {{ detections_judged() }} as judged where judged.lw_id = {{ alias }}.lw_id)
  {%- endif -%}
{%- endmacro %}


{% macro detections_new_sign_in_attribute(detection, attribute) %}
  {#- A sign-in with an `attribute` (ip_address, client_type) the user had not signed in
      with in the `detections_sign_in_history_days` (default 30) days before it, judged
      only when the user signed in at all in those days. Computed for the sign-ins not yet
      judged, over their users' sign-ins from 30 days before the earliest of them: window
      functions (lag) over that recent, so a build costs the news and their users' month,
      not the history. `<attribute>_last_seen` is the last sign-in with this attribute at
      any time before (older than the 30 days when the sign-in fires): from the slice, or
      looked up before it for the findings only. -#}
  {%- set days = var('detections_sign_in_history_days', 30) -%}
  {%- set last_seen = 'address_last_seen' if attribute == 'ip_address' else attribute ~ '_last_seen' %}
with sign_ins as (
    select lw_id, time, email, ip_address, client_type, version
    from {{ zoom_log('activity_logs') }} as entry
    where type = 'Sign in' and email is not null and time is not null
      and {{ attribute }} is not null
),
judged as (
    select * from sign_ins as s where 1 = 1 {{ detections_not_judged('s') }}
),
-- The judged users' sign-ins that can be in a judged sign-in's 30 days.
bounds as (
    select min(time) - interval '{{ days }} days' as since from judged
),
recent as (
    select s.email, s.{{ attribute }}, s.time
    from sign_ins as s
    where s.email in (select email from judged)
      and s.time >= (select since from bounds)
),
-- One row per moment, so that "before" is strictly before (same-second sign-ins are not
-- each other's history).
user_moments as (
    select email, time, lag(time) over (partition by email order by time) as previous_sign_in
    from (select distinct email, time from recent) as moments
),
attribute_moments as (
    select email, {{ attribute }}, time,
        lag(time) over (partition by email, {{ attribute }} order by time) as seen_before
    from (select distinct email, {{ attribute }}, time from recent) as moments
),
findings as (
    select s.*, u.previous_sign_in, k.seen_before
    from judged as s
    join user_moments as u on u.email = s.email and u.time = s.time
    join attribute_moments as k
      on k.email = s.email and k.{{ attribute }} = s.{{ attribute }} and k.time = s.time
    where u.previous_sign_in >= s.time - interval '{{ days }} days'
      and (k.seen_before is null or k.seen_before < s.time - interval '{{ days }} days')
),
-- A finding with no such sign-in in the slice: its last one, if any, is older than the slice.
older as (
    select p.email, p.{{ attribute }}, max(p.time) as seen_before
    from sign_ins as p
    join (select distinct email, {{ attribute }} from findings where seen_before is null) as unseen
      on unseen.email = p.email and unseen.{{ attribute }} = p.{{ attribute }}
    where p.time < (select since from bounds)
    group by p.email, p.{{ attribute }}
)
select
    '{{ detection }}' as detection,
    f.time,
    f.email,
    f.ip_address,
    f.client_type,
    f.version,
    f.previous_sign_in,
    coalesce(f.seen_before, o.seen_before) as {{ last_seen }},
    f.lw_id
from findings as f
left join older as o on o.email = f.email and o.{{ attribute }} = f.{{ attribute }}
{% endmacro %}
