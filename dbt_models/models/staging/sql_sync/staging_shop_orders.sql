select
    id as order_id,
    customer_id,
    status::text as status,
    ordered_at,
    updated_at,
    note
from {{ source('shop', 'shop_orders') }}
