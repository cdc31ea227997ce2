-- TODO: select, rename and type the columns you need (the cache lower-cases column names;
-- nested objects are JSON: read them with (column::json) ->> 'field').
select
    id,
    _airbyte_extracted_at as synced_at
from {{ source('{{name}}', '{{name}}_users') }}
