select
    id as customer_id,
    name as customer_name,
    lower(email) as email,
    country,
    is_active::integer = 1 as is_active,
    created_at
from {{ source('shop', 'shop_customers') }}
