{#- Fails with one row per distinct value of the column that is not among the
    check's accepted values (NULLs pass), like dbt's accepted_values. The values
    are text from a request, so they are never written into the project: they
    are rows of source relayboard_meta.check_values, which the worker fills with
    bound parameters before each build. Values are compared in the column's
    type, as dbt's literals would be; a value that does not cast matches nothing. -#}
{% test relayboard_accepted_values(model, column_name, check_id, column_type) %}
{%- if not modules.re.match('^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', check_id) -%}
  {{ exceptions.raise_compiler_error("relayboard_accepted_values: check_id must be a check's uuid") }}
{%- endif %}

with accepted as (
    select {{ relayboard_safe_cast('value', column_type) }} as value
    from {{ source('relayboard_meta', 'check_values') }}
    where check_id = '{{ check_id }}'
),

all_values as (
    select {{ column_name }} as value_field, count(*) as n_records
    from {{ model }}
    group by {{ column_name }}
)

select *
from all_values
where value_field is not null
  and not exists (select 1 from accepted where accepted.value = all_values.value_field)

{% endtest %}
