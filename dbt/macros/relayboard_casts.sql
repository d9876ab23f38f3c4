{#- Casts for the types Relayboard infers per column. pg_input_is_valid (PostgreSQL 16+)
    checks a value without raising, so one bad value becomes NULL instead of failing
    the whole model; relayboard_cast_fails counts those values for the run. -#}

{#- The warehouse type of an inferred type. json lands as jsonb: it has equality,
    so distinct counts, unique checks and joins work on it. -#}
{% macro relayboard_sql_type(type) -%}
  {%- set types = {
      'boolean': 'boolean', 'bigint': 'bigint', 'numeric': 'numeric',
      'date': 'date', 'timestamp': 'timestamp', 'timestamptz': 'timestamptz',
      'uuid': 'uuid', 'json': 'jsonb', 'text': 'text'} -%}
  {%- if type not in types -%}
    {{ exceptions.raise_compiler_error("relayboard_sql_type: unknown type '" ~ type ~ "'; use one of " ~ (types.keys() | join(', '))) }}
  {%- endif -%}
  {{- return(types[type]) -}}
{%- endmacro %}

{#- The value of a text column as `type`, or NULL when it does not cast. Blank values
    are NULL too: an empty field means "no value" for every type but text.
    checked=false casts with a plain `::type`, about 1.6x faster (the value is parsed
    once, not twice): Relayboard passes it only for a column whose every value the
    stage step saw fit the type (the column's verifiedType), so no value can fail;
    a value that does anyway fails the model, and the run builds it again checked.
    The var relayboard_checked_casts (dbt build --vars '{relayboard_checked_casts: true}')
    checks every cast. -#}
{% macro relayboard_safe_cast(column, type, checked=true) -%}
  {%- set sql_type = relayboard_sql_type(type) -%}
  {%- if sql_type == 'text' -%}
    {{ column }}
  {%- elif not checked and not var('relayboard_checked_casts', false) -%}
    nullif(btrim({{ column }}), '')::{{ sql_type }}
  {%- else -%}
    case when pg_input_is_valid(btrim({{ column }}), '{{ sql_type }}') then btrim({{ column }})::{{ sql_type }} end
  {%- endif -%}
{%- endmacro %}

{#- True for a value that is there (not NULL, not blank) but does not cast to `type`;
    always false for an unchecked cast (checked=false), whose values all cast. -#}
{% macro relayboard_cast_fails(column, type, checked=true) -%}
  {%- set sql_type = relayboard_sql_type(type) -%}
  {%- if sql_type == 'text' or (not checked and not var('relayboard_checked_casts', false)) -%}
    false
  {%- else -%}
    (btrim({{ column }}) <> '' and not pg_input_is_valid(btrim({{ column }}), '{{ sql_type }}'))
  {%- endif -%}
{%- endmacro %}
