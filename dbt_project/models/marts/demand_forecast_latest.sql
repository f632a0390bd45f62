-- The latest forecast run only (the newest run_month of demand_forecast): one row per series x target
-- month, so it can be read without picking a run. It still holds both measures (postings and
-- headcount) and every dimension (the city, its industries, counties, occupations and skills, which
-- overlap): filter on one measure and one dimension before summing `point`. Adds `member_code`, the
-- member's code (demand_forecast stays 1:1 with its source).
-- Built after the forecast (it refs demand_forecast), so the pipeline's second dbt step builds it.

with

demand_forecast as (

    select * from {{ ref('demand_forecast') }}

),

counties as (

    select * from {{ ref('counties') }}

),

industries as (

    select * from {{ ref('industries') }}

),

latest_run as (

    select max(run_month) as run_month

    from demand_forecast

),

final as (

    select
        demand_forecast.*,
        -- GB/T 2260 code of the city or county, the industry's code, the occupation's own code; none
        -- for a skill
        case demand_forecast.dimension
            when 'industry' then industries.code
            when 'city' then counties.admin_code
            when 'county' then counties.admin_code
            when 'occupation' then demand_forecast.member
        end as member_code

    from demand_forecast
    inner join latest_run
        on demand_forecast.run_month = latest_run.run_month
    left join counties
        on
            demand_forecast.dimension in ('city', 'county')
            and demand_forecast.member = counties.name_zh
    left join industries
        on
            demand_forecast.dimension = 'industry'
            and demand_forecast.member = industries.name_zh

)

select * from final
