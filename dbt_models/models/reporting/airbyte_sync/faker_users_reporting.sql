-- One row per user with their purchase activity.
with purchases as (
    select
        user_id,
        count(*) as purchases,
        count(*) filter (where purchased_at is not null) as completed_purchases,
        count(*) filter (where returned_at is not null) as returned_purchases,
        max(purchased_at) as last_purchased_at
    from {{ ref('staging_faker_purchases') }}
    group by user_id
)

select
    u.user_id,
    u.name,
    u.email,
    u.age,
    u.gender,
    u.occupation,
    u.nationality,
    u.city,
    u.country_code,
    coalesce(p.purchases, 0) as purchases,
    coalesce(p.completed_purchases, 0) as completed_purchases,
    coalesce(p.returned_purchases, 0) as returned_purchases,
    p.last_purchased_at,
    u.created_at
from {{ ref('staging_faker_users') }} as u
left join purchases as p on p.user_id = u.user_id
