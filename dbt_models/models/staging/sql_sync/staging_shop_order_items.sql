select
    id as order_item_id,
    order_id,
    product_id,
    quantity::integer as quantity,
    unit_price::numeric(10, 2) as unit_price,
    (quantity * unit_price)::numeric(12, 2) as line_total
from {{ source('shop', 'shop_order_items') }}
