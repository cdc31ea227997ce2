-- The cache lower-cases the API's camelCase names (discountPercentage -> discountpercentage)
-- and keeps nested objects as JSON, which may arrive as text: cast to json before ->>.
select
    id as product_id,
    title,
    description,
    category,
    brand,
    sku,
    price::numeric(12, 2) as price,
    discountpercentage::numeric(5, 2) as discount_percentage,
    rating::numeric(3, 2) as rating,
    stock::integer as stock,
    availabilitystatus as availability_status,
    tags::text as tags,
    ((meta::json) ->> 'createdAt')::timestamptz as created_at,
    ((meta::json) ->> 'updatedAt')::timestamptz as updated_at,
    (meta::json) ->> 'barcode' as barcode,
    _airbyte_extracted_at as synced_at
from {{ source('sample_connector', 'sample_connector_products') }}
