{#- Fails (one row, carrying the count) when the model has fewer than min_rows or more
    than max_rows rows; either bound may be left out. -#}
{% test relayboard_row_count(model, min_rows=none, max_rows=none) %}

with counted as (
    select count(*) as row_count from {{ model }}
)

select row_count
from counted
where {% if min_rows is not none %}row_count < {{ min_rows }}{% else %}false{% endif %}
   or {% if max_rows is not none %}row_count > {{ max_rows }}{% else %}false{% endif %}

{% endtest %}
