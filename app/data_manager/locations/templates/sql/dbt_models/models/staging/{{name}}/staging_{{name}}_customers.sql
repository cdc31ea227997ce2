-- TODO: select, rename and type the columns you need.
select *
from {{ source('{{name}}', '{{name}}_customers') }}
