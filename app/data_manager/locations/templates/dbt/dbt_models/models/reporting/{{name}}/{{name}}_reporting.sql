-- TODO: the reporting table of the {{name}} location.
select *
from {{ ref('staging_{{name}}_users') }}
