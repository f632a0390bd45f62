-- The report's gap table (section 四): report_supply_demand_gap summed over occupations to
-- report month x year x industry, with supply_demand_gap's ratio, gap and shortage rule applied to the
-- sums. The report shows the newest year that had ended by the report month and has graduates.

with

gap as (

    select * from {{ ref('report_supply_demand_gap') }}

),

industries as (

    select * from {{ ref('industries') }}

),

by_industry as (

    select
        report_month,
        year,
        industry,
        cast(sum(demand_postings) as {{ dbt.type_bigint() }}) as demand_postings,
        cast(sum(demand_headcount) as {{ dbt.type_bigint() }}) as demand_headcount,
        {{ round_double('sum(supply_graduates)') }} as supply_graduates,
        {{ round_double('sum(supply_employed_local)') }} as supply_employed_local

    from gap
    group by report_month, year, industry

),

final as (

    select
        {{ dbt.concat([
            year_month('by_industry.report_month'), "'/'",
            "cast(by_industry.year as " ~ dbt.type_string() ~ ")", "'-'", 'by_industry.industry'
        ]) }} as report_gap_industry_id,
        by_industry.report_month,
        by_industry.year,
        by_industry.industry,
        by_industry.demand_postings,
        by_industry.demand_headcount,
        by_industry.supply_graduates,
        by_industry.supply_employed_local,
        {{ round_double(safe_divide('by_industry.demand_headcount', 'by_industry.supply_graduates'), 4) }}
            as demand_supply_ratio,
        {{ round_double('by_industry.demand_headcount - by_industry.supply_graduates') }} as gap,
        {{ shortage_flag('by_industry.demand_headcount', 'by_industry.supply_graduates') }} as shortage_flag,
        {{ gap_status('by_industry.demand_headcount', 'by_industry.supply_graduates') }} as gap_status,
        industries.code as industry_code

    from by_industry
    left join industries
        on by_industry.industry = industries.name_zh

)

select * from final
