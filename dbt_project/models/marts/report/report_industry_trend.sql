-- The report's trend chart (图1): per report month x industry, the industry's postings over the
-- chart's window (the 36 months up to the report month, from the first month of data) and its place
-- in the legend (most postings first, the name breaks ties). The monthly points are
-- report_top_industries_monthly's rows in the window.

with

as_of as (

    select * from {{ ref('report_as_of') }}

),

by_industry as (

    select * from {{ ref('report_top_industries_monthly') }}

),

industries as (

    select * from {{ ref('industries') }}

),

windows as (

    select
        report_month,
        case
            when demand_from > cast({{ dbt.dateadd('month', -35, 'report_month') }} as date) then demand_from
            else cast({{ dbt.dateadd('month', -35, 'report_month') }} as date)
        end as window_start

    from as_of

),

totals as (

    select
        windows.report_month,
        windows.window_start,
        by_industry.industry,
        cast(sum(by_industry.postings) as {{ dbt.type_bigint() }}) as window_postings

    from windows
    inner join by_industry
        on by_industry.month between windows.window_start and windows.report_month
    group by windows.report_month, windows.window_start, by_industry.industry

),

final as (

    select
        {{ dbt.concat([year_month('totals.report_month'), "'/'", 'totals.industry']) }} as report_trend_id,
        totals.report_month,
        totals.window_start,
        totals.industry,
        totals.window_postings,
        row_number() over (
            partition by totals.report_month order by totals.window_postings desc, totals.industry asc
        ) as legend_rank,
        industries.code as industry_code

    from totals
    left join industries
        on totals.industry = industries.name_zh

)

select * from final
