{#- The parts of an OCSF event every model shares (the version is var('ocsf_version')). -#}

{#- OCSF's own pattern for user.email_addr, in an equivalent spelling both regex engines
    read alike; an address it refuses (a non-ASCII one, say) stays in user.name. -#}
{% macro ocsf_email_pattern() -%}
  ^[-a-zA-Z0-9!#$%&''*+/=?^_`{|}~.,]+@[-a-zA-Z0-9]+\.[-a-zA-Z0-9.]+$
{%- endmacro %}

{#- An e-mail address inside Zoom's free text ("Change Role  - a@b.io: from User to Admin"). -#}
{% macro email_in_text_pattern() -%}
  [^[:space:]:,;()<>"]+@[^[:space:]:,;()<>"]+\.[^[:space:]:,;()<>"]+
{%- endmacro %}

{#- What an IP address is made of (IPv4, IPv6, a zone): anything else is not put in an
    `ip` field, whose pattern would refuse it, but kept in `unmapped`. -#}
{% macro ip_pattern() -%}
  ^[0-9a-fA-F:.]*[:.][0-9a-fA-F:.]*(%[^[:space:]]+)?$
{%- endmacro %}


{% macro ocsf_user(identity, required=false) %}
  {#- OCSF's user object for a Zoom user, who is known by an e-mail address and signs in
      with it: the address is the user name (OCSF requires a name, uid or account), and
      also email_addr when OCSF's pattern accepts it. When Zoom gave no address: NULL (the
      object is left out), or, where the class requires a user, the name "Unknown", the
      word OCSF's own enumerations use for a value the source does not give. -#}
  {%- set user = json_object([
      ('name', identity),
      ('email_addr', 'case when ' ~ regex_test(identity, ocsf_email_pattern()) ~ ' then ' ~ identity ~ ' end'),
  ]) -%}
  {%- if required -%}
    case when {{ identity }} is not null then {{ user }} else {{ json_object([('name', "'Unknown'")]) }} end
  {%- else -%}
    case when {{ identity }} is not null then {{ user }} end
  {%- endif -%}
{% endmacro %}


{% macro ocsf_metadata(log_name, original_uid='null') %}
  {#- metadata: the product (Zoom), the OCSF version, lw_id as the event's uid, the tap's
      stream as the log's name, and Zoom's own id of the entry where it has one. -#}
  {{ json_object([
      ('product', json_object([('name', "'Zoom'"), ('vendor_name', "'Zoom'")])),
      ('version', "'" ~ var('ocsf_version') ~ "'"),
      ('uid', 'lw_id'),
      ('log_name', "'" ~ log_name ~ "'"),
      ('original_event_uid', original_uid),
  ]) }}
{% endmacro %}


{% macro ocsf_caption(id_column, captions, other) %}
  {#- The caption OCSF gives the id in `id_column`; `other` (Zoom's own word) for 99. -#}
  case {{ id_column }}
  {%- for id, caption in captions.items() %}
    when {{ id }} then '{{ caption }}'
  {%- endfor %}
    when 99 then coalesce({{ other }}, 'Other')
  end
{% endmacro %}


{#- Activity captions of the classes used, as OCSF 1.8 names them. -#}
{% macro authentication_activities() %}
  {{ return({0: 'Unknown', 1: 'Logon', 2: 'Logoff'}) }}
{% endmacro %}
{% macro account_change_activities() %}
  {{ return({0: 'Unknown', 1: 'Create', 2: 'Enable', 5: 'Disable', 6: 'Delete', 9: 'Lock', 12: 'Unlock'}) }}
{% endmacro %}
{% macro entity_management_activities() %}
  {{ return({0: 'Unknown', 1: 'Create', 2: 'Read', 3: 'Update', 4: 'Delete', 5: 'Move',
             8: 'Enable', 9: 'Disable', 10: 'Activate', 11: 'Deactivate', 12: 'Suspend',
             13: 'Resume'}) }}
{% endmacro %}
