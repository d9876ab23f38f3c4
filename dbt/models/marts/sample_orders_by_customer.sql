{#- An example of your own model: revenue per customer from the sample dataset that
    `./relayboard up` loads. It refs `sample_orders`, so every run of sample_orders
    rebuilds it. The guard keeps the project parsing before that dataset first ran;
    a model you write for a dataset that already exists needs no guard. -#}
{{ config(enabled=relayboard_dataset_exists('sample_orders')) }}

with orders as (
    select * from {{ ref('sample_orders') }}
),

final as (
    select
        customer,
        count(*) as orders,
        sum(quantity::numeric) as units,
        sum(quantity::numeric * unit_price::numeric) as revenue
    from orders
    where status <> 'returned'
    group by customer
)

select * from final
