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
    checks every cast.
    trim=false leaves out the btrim of an unchecked cast: Relayboard passes it only for
    a column whose values the stage step also saw without a space at either end
    (verifiedTrimmed), where btrim changes no value (the 100 MB benchmark's warehouse
    table: 0.98 s against 1.36 s). -#}
{% macro relayboard_safe_cast(column, type, checked=true, trim=true) -%}
  {%- set sql_type = relayboard_sql_type(type) -%}
  {%- if sql_type == 'text' -%}
    {{ column }}
  {%- elif not checked and not var('relayboard_checked_casts', false) -%}
    {%- if trim -%}
    nullif(btrim({{ column }}), '')::{{ sql_type }}
    {%- else -%}
    nullif({{ column }}, '')::{{ sql_type }}
    {%- endif -%}
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

{#- The text a column's values are cast from (issue #15): what the column's decision
    says, applied before relayboard_safe_cast and relayboard_cast_fails. `column` is a
    quoted identifier; everything else comes from the generator as whitelisted words
    (dbt-files.ts): the markers as lists of code points (never as text, so a marker
    from a person's override cannot become SQL or Jinja), `date_part` one of the
    DATE_PARTS, `decimal` 'point' or 'comma', `thousands` 'none', 'comma', 'point',
    'space' or 'apostrophe'.
    - A marker (after trimming spaces) reads as NULL: not a value, so not a cast failure.
    - A date part other than yyyy-mm-dd is rewritten to yyyy-m-d, which PostgreSQL reads
      whatever its DateStyle; the time after it is kept (PostgreSQL reads h:mm and
      12-hour clocks with am/pm itself, and refuses 13:00 pm).
    - Thousands separators are dropped and a decimal comma becomes '.'. -#}
{% macro relayboard_cast_input(column, markers=[], date_part=none, decimal='point', thousands='none') -%}
  {%- set value -%}btrim({{ column }}){%- endset -%}
  {#- Each non-ISO date part: the pattern of its date at the start of the value, and where year, month and day go. -#}
  {%- set date_parts = {
      'yyyy/mm/dd': ['^([0-9]{4})/([0-9]{1,2})/([0-9]{1,2})', '\\1-\\2-\\3'],
      'yyyy.mm.dd': ['^([0-9]{4})[.]([0-9]{1,2})[.]([0-9]{1,2})', '\\1-\\2-\\3'],
      'dd.mm.yyyy': ['^([0-9]{1,2})[.]([0-9]{1,2})[.]([0-9]{4})', '\\3-\\2-\\1'],
      'dd/mm/yyyy': ['^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})', '\\3-\\2-\\1'],
      'mm/dd/yyyy': ['^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})', '\\3-\\1-\\2'],
      'dd-mm-yyyy': ['^([0-9]{1,2})-([0-9]{1,2})-([0-9]{4})', '\\3-\\2-\\1'],
      'mm-dd-yyyy': ['^([0-9]{1,2})-([0-9]{1,2})-([0-9]{4})', '\\3-\\1-\\2']} -%}
  {%- if date_part is none or date_part == 'yyyy-mm-dd' -%}
    {%- set rewritten = value -%}
  {%- elif date_part in date_parts -%}
    {%- set rewritten = "regexp_replace(" ~ value ~ ", '" ~ date_parts[date_part][0] ~ "', '" ~ date_parts[date_part][1] ~ "')" -%}
  {%- else -%}
    {{ exceptions.raise_compiler_error("relayboard_cast_input: unknown date part '" ~ date_part ~ "'") }}
  {%- endif -%}
  {%- set separators = {'none': none, 'comma': "','", 'point': "'.'", 'space': "' '", 'apostrophe': 'chr(39)'} -%}
  {%- if thousands not in separators or decimal not in ['point', 'comma'] -%}
    {{ exceptions.raise_compiler_error("relayboard_cast_input: unknown number format " ~ decimal ~ "/" ~ thousands) }}
  {%- endif -%}
  {%- if separators[thousands] is not none -%}
    {%- set rewritten -%}replace({{ rewritten }}, {{ separators[thousands] }}, ''){%- endset -%}
  {%- endif -%}
  {%- if decimal == 'comma' -%}
    {%- set rewritten -%}replace({{ rewritten }}, ',', '.'){%- endset -%}
  {%- endif -%}
  {%- if markers | length > 0 -%}
    case when {{ value }} in (
      {%- for marker in markers -%}
        {%- for code in marker -%}chr({{ code | int }}){%- if not loop.last %} || {% endif -%}{%- endfor -%}
        {%- if not loop.last %}, {% endif -%}
      {%- endfor -%}
    ) then null else {{ rewritten }} end
  {%- else -%}
    {{ rewritten }}
  {%- endif -%}
{%- endmacro %}
