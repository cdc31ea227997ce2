{#
  Use the configured schema as is (`staging`, `reporting`), not dbt's default
  `<target schema>_<custom schema>`, so every environment writes the same schemas
  the platform documents and the sync/cleanup tools expect.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
