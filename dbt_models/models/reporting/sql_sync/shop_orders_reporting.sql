-- One row per order with its customer and totals.
with items as (
    select
        order_id,
        count(*) as items,
        sum(quantity) as units,
        sum(line_total) as order_total
    from {{ ref('staging_shop_order_items') }}
    group by order_id
)

select
    o.order_id,
    o.ordered_at,
    o.status,
    c.customer_id,
    c.customer_name,
    c.country,
    coalesce(i.items, 0) as items,
    coalesce(i.units, 0) as units,
    coalesce(i.order_total, 0)::numeric(12, 2) as order_total
from {{ ref('staging_shop_orders') }} as o
inner join {{ ref('staging_shop_customers') }} as c on c.customer_id = o.customer_id
left join items as i on i.order_id = o.order_id
