select
    id as product_id,
    name as product_name,
    category::text as category,
    unit_price::numeric(10, 2) as list_price
from {{ source('shop', 'shop_products') }}
