-- One row per posting with a MinHash signature: what the near-duplicate step compares it by (exact
-- group, month, place, title and employer keys, signature) and the run that first saw it like this.
-- Incremental: a run inserts the postings that are new or whose compared fields changed (a revised
-- vintage) and stamps them with the run's start; int_postings_near_duplicates_linked compares the
-- rows stamped after its own watermark. The build's clock, not the landing time: a landing validated
-- late can carry an older landed_at than one already compared, and would be skipped.

{{
    config(
        materialized='incremental',
        unique_key='posting_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}

{%- set permutations = var('minhash_permutations', 128) | int or 128 %}

with

postings as (

    select * from {{ ref('stg_job_boards__postings') }}

),

{% if is_incremental() %}
    stored as (

        select * from {{ this }}

    ),
{% endif %}

signed as (

    select
        posting_id,
        posted_month,
        title_key,
        company_key,
        description_minhash,
        coalesce(dedup_key, posting_id) as exact_key,
        -- outside 巴中 the county is null: the location keeps two cities apart
        coalesce(county, location, '') as place

    from postings
    where
        description_minhash is not null
        and length(description_minhash) = {{ permutations * 8 }}

),

changed as (

    select signed.*
    from signed
    {% if is_incremental() -%}
        left join stored
            on
                signed.posting_id = stored.posting_id
                and signed.exact_key = stored.exact_key
                and signed.posted_month = stored.posted_month
                and signed.place = stored.place
                and signed.title_key is not distinct from stored.title_key
                and signed.company_key is not distinct from stored.company_key
                and signed.description_minhash = stored.description_minhash
        where stored.posting_id is null
    {%- endif %}

),

final as (

    select
        *,
        current_timestamp as indexed_at

    from changed

)

select * from final
