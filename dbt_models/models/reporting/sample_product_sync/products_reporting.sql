-- One row per product with its discounted price and stock value.
select
    product_id,
    title,
    category,
    coalesce(brand, 'unbranded') as brand,
    price,
    discount_percentage,
    round(price * (1 - discount_percentage / 100), 2) as final_price,
    stock,
    round(price * (1 - discount_percentage / 100) * stock, 2) as stock_value,
    availability_status,
    rating,
    created_at,
    updated_at
from {{ ref('staging_products') }}
