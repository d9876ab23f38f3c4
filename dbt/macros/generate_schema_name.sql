{#- A custom schema is used as given (warehouse, not <target>_warehouse), so
    Relayboard's tables land in the schema the docs and the board name. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
  {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
