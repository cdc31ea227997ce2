-- One row per fake user, typed and renamed; the address is a JSON object in the cache.
select
    id as user_id,
    name,
    title,
    age::integer as age,
    email,
    telephone,
    gender,
    language,
    academic_degree,
    nationality,
    occupation,
    blood_type,
    (address::json) ->> 'city' as city,
    (address::json) ->> 'country_code' as country_code,
    created_at,
    updated_at,
    _airbyte_extracted_at as synced_at
from {{ source('faker', 'faker_users') }}
