{#- Whether Relayboard has generated the models of a dataset, for models that ref a
    dataset before it first ran (the committed example in models/marts):

        {{ config(enabled=relayboard_dataset_exists('sample_orders')) }}

    Parsing fails on a ref to a model that does not exist, and a model's `enabled`
    is decided while parsing, before the graph exists. So the worker and
    `./relayboard dbt` pass the generated datasets in RELAYBOARD_DATASETS
    (comma-separated): `./relayboard dbt` every one; a run, those of its own
    project (a run's build parses only the datasets it needs) whose names appear
    in people's files, so the list stays the same from run to run. dbt records
    which files read an environment variable, so when the list changes partial
    parsing re-reads exactly those files. -#}
{% macro relayboard_dataset_exists(name) -%}
  {{- return(name in env_var('RELAYBOARD_DATASETS', '').split(',')) -}}
{%- endmacro %}
