-- One row per pair of exact dedup groups whose descriptions are near-duplicates: same month and
-- place, same normalised title or employer, MinHash signatures agreeing on at least
-- `near_duplicate_threshold` of their positions (the estimated Jaccard similarity of the texts'
-- character 3-grams). int_postings_near_duplicates_flagged turns these links into vacancies.
--
-- Candidates come from locality-sensitive hashing with banding: the signature is cut into
-- `minhash_bands` bands, and only signatures equal on a whole band (and on month, place and title or
-- employer) are compared. Comparing every pair of a month-and-place block grew with the square of the
-- block; the band join grows with the pairs that are actually alike. No link is lost: a pair at the
-- threshold differs in at most (1 - threshold) x 128 = 12 positions, which can spoil at most 12 of
-- the 16 bands, so it shares a band for certain (the compile fails for fewer bands than that).
--
-- Incremental: a run compares the postings int_postings_signatures_indexed added since the last run
-- (indexed_at after the watermark `compared_through`) with each other and with the stored ones of
-- the same months; a pair linked before keeps the higher of its two similarities. A --full-refresh
-- compares everything and gives the same links (tests/test_dbt_incremental.py). Not handled: a
-- revised vintage of an ad keeps the links its earlier text made until the next --full-refresh.

{{
    config(
        materialized='incremental',
        unique_key=['key_a', 'key_b'],
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}

{#- `| int or 128`: the linter's stand-in for var() is no number #}
{%- set threshold = var('near_duplicate_threshold', 0.9) | float or 0.9 %}
{%- set permutations = var('minhash_permutations', 128) | int or 128 %}
{%- set bands = var('minhash_bands', 16) | int or 16 %}
{%- set band_chars = (permutations // bands) * 8 %}
{%- set most_differing = permutations - (permutations * threshold) | round(0, 'ceil') | int %}
{%- if bands <= most_differing or permutations % bands != 0 %}
    {{ exceptions.raise_compiler_error(
        'minhash_bands must divide ' ~ permutations ~ ' and exceed ' ~ most_differing
        ~ ' (the positions a pair at the threshold may differ in), or links would be missed'
    ) }}
{%- endif %}
{#- a full build sees every pair from both sides: one is enough #}
{%- set pair_filter = 'fresh.exact_key ' ~ ('<>' if is_incremental() else '<') ~ ' other.exact_key' %}

with

postings as (

    select * from {{ ref('stg_job_boards__postings') }}

),

indexed as (

    select * from {{ ref('int_postings_signatures_indexed') }}

),

{% if is_incremental() %}
    stored as (

        select * from {{ this }}

    ),

    watermark as (

        select max(compared_through) as compared_through
        from stored

    ),
{% endif %}

texts as (

    -- one row per distinct text of an exact group: copies with the same text compare alike
    select distinct
        indexed.exact_key,
        indexed.posted_month,
        indexed.place,
        indexed.title_key,
        indexed.company_key,
        indexed.description_minhash,
        {% if is_incremental() -%}
            -- indexed by a run after the last one that compared
            coalesce(indexed.indexed_at > watermark.compared_through, true) as is_new
        {%- else -%}
            true as is_new
        {%- endif %}

    from indexed
    -- postings gone from the landings stay in the index until a full refresh: leave them out
    inner join postings
        on indexed.posting_id = postings.posting_id
    {% if is_incremental() -%}
        cross join watermark
    {%- endif %}

),

signatures as (

    -- a number per distinct signature, so that joins and grouping below never carry the 1 KB text
    select
        *,
        dense_rank() over (order by description_minhash) as signature_id

    from texts

),

band_numbers as (

    select band.band_number
    from (
        values
        {%- for band in range(bands) %}
            ({{ band }}){{ "," if not loop.last }}
        {%- endfor %}
    ) as band (band_number)

),

banded as (

    select
        signatures.exact_key,
        signatures.posted_month,
        signatures.place,
        signatures.title_key,
        signatures.company_key,
        signatures.signature_id,
        signatures.is_new,
        band_numbers.band_number,
        substring(signatures.description_minhash, band_numbers.band_number * {{ band_chars }} + 1, {{ band_chars }})
            as band_value

    from signatures
    cross join band_numbers
    {% if is_incremental() -%}
        -- a new ad is only compared with ads of its own month
        where signatures.posted_month in (
                select fresh.posted_month
                from signatures as fresh
                where fresh.is_new
            )
    {%- endif %}

),

new_banded as (

    select * from banded
    where is_new

),

band_matches as (

    -- two equi-joins instead of one join on "same title or same employer", which no engine can hash
    select
        fresh.exact_key as key_new,
        other.exact_key as key_other,
        fresh.signature_id as signature_new,
        other.signature_id as signature_other

    from new_banded as fresh
    inner join banded as other
        on
            fresh.band_number = other.band_number
            and fresh.band_value = other.band_value
            and fresh.posted_month = other.posted_month
            and fresh.place = other.place
            and fresh.title_key = other.title_key
    where {{ pair_filter }}

    union all

    select
        fresh.exact_key as key_new,
        other.exact_key as key_other,
        fresh.signature_id as signature_new,
        other.signature_id as signature_other

    from new_banded as fresh
    inner join banded as other
        on
            fresh.band_number = other.band_number
            and fresh.band_value = other.band_value
            and fresh.posted_month = other.posted_month
            and fresh.place = other.place
            and fresh.company_key = other.company_key
    where {{ pair_filter }}

),

candidates as (

    select distinct
        signature_new,
        signature_other,
        case when key_new < key_other then key_new else key_other end as key_a,
        case when key_new < key_other then key_other else key_new end as key_b

    from band_matches

),

distinct_signatures as (

    select distinct
        signature_id,
        description_minhash

    from signatures

),

signature_similarities as (

    -- share of equal 8-letter values, one term per position (no row per position to group again)
    select
        candidates.key_a,
        candidates.key_b,
        (
            {%- for position in range(permutations) %}
                {{ "+ " if not loop.first }}case
                    when substring(signature_a.description_minhash, {{ position * 8 + 1 }}, 8)
                        = substring(signature_b.description_minhash, {{ position * 8 + 1 }}, 8) then 1
                    else 0
                end
            {%- endfor %}
        ) * 1.0 / {{ permutations }} as similarity

    from candidates
    inner join distinct_signatures as signature_a
        on candidates.signature_new = signature_a.signature_id
    inner join distinct_signatures as signature_b
        on candidates.signature_other = signature_b.signature_id

),

linked as (

    -- a group can hold two texts (the same identity drawn twice in a month): the closest pair counts
    select
        key_a,
        key_b,
        max(similarity) as similarity

    from signature_similarities
    group by key_a, key_b
    having max(similarity) >= {{ threshold }}

),

merged as (

    select
        key_a,
        key_b,
        max(similarity) as similarity

    from (
        select
            key_a,
            key_b,
            similarity
        from linked
        {% if is_incremental() %}
            union all

            -- the row the merge replaces: its pair may have been closer through older copies
            select
                stored.key_a,
                stored.key_b,
                stored.similarity
            from stored
            inner join linked
                on
                    stored.key_a = linked.key_a
                    and stored.key_b = linked.key_b
        {% endif %}
    ) as both_runs
    group by key_a, key_b

),

final as (

    select
        key_a,
        key_b,
        similarity,
        (select max(indexed.indexed_at) from indexed) as compared_through

    from merged

)

select * from final
