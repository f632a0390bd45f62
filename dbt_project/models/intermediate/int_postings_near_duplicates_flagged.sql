-- One row per posting (board x board id): its exact dedup group and the vacancy that group belongs
-- to after the near-duplicate step.
--
-- Exact: postings sharing a dedup_key (normalised title | employer | place | month) are one group.
-- Near: two groups with copies of the same month and place that share the normalised title or the
-- normalised employer, and whose descriptions' MinHash signatures (datasketch, computed by the extractor)
-- agree on at least `near_duplicate_threshold` of their positions (an estimate of the Jaccard
-- similarity of the texts' character 3-grams), are one vacancy. That catches a copy whose title
-- was reworded (焊工 / 电焊工) or whose employer was shortened to its brand. Groups are joined over
-- two hops of such links; the vacancy key is the smallest dedup_key among them.

{%- set threshold = var('near_duplicate_threshold', 0.9) %}
{%- set permutations = var('minhash_permutations', 128) %}

with

postings as (

    select * from {{ ref('stg_job_boards__postings') }}

),

keyed as (

    select
        posting_id,
        board,
        posted_month,
        title_key,
        company_key,
        description_minhash,
        coalesce(dedup_key, posting_id) as exact_key,
        -- outside 巴中 the county is null: the location keeps two cities apart
        coalesce(county, location, '') as place

    from postings

),

exact_groups as (

    select distinct exact_key
    from keyed

),

digits as (

    select hex_digits.digit
    from (
        values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12), (13), (14), (15)
    ) as hex_digits (digit)

),

signature_positions as (

    select high.digit * 16 + low.digit as signature_position
    from digits as high
    cross join digits as low
    where high.digit * 16 + low.digit < {{ permutations }}

),

candidates as (

    -- every copy takes part: a group can hold two texts (the same identity drawn twice in a month)
    select distinct
        a.exact_key as key_a,
        b.exact_key as key_b,
        a.description_minhash as signature_a,
        b.description_minhash as signature_b

    from keyed as a
    inner join keyed as b
        on
            a.posted_month = b.posted_month
            and a.place = b.place
            and a.exact_key < b.exact_key
            and (a.title_key = b.title_key or a.company_key = b.company_key)
    where
        a.description_minhash is not null
        and b.description_minhash is not null
        and length(a.description_minhash) = {{ permutations * 8 }}
        and length(b.description_minhash) = {{ permutations * 8 }}

),

signature_similarities as (

    select
        candidates.key_a,
        candidates.key_b,
        candidates.signature_a,
        candidates.signature_b,
        sum(
            case
                when
                    substring(candidates.signature_a, signature_positions.signature_position * 8 + 1, 8)
                    = substring(candidates.signature_b, signature_positions.signature_position * 8 + 1, 8)
                    then 1
                else 0
            end
        ) * 1.0 / {{ permutations }} as similarity

    from candidates
    cross join signature_positions
    group by candidates.key_a, candidates.key_b, candidates.signature_a, candidates.signature_b

),

similarities as (

    select
        key_a,
        key_b,
        max(similarity) as similarity

    from signature_similarities
    group by key_a, key_b

),

links as (

    select
        key_a as exact_key,
        key_b as linked_key,
        similarity
    from similarities
    where similarity >= {{ threshold }}

    union all

    select
        key_b as exact_key,
        key_a as linked_key,
        similarity
    from similarities
    where similarity >= {{ threshold }}

),

first_hop as (

    select
        exact_groups.exact_key,
        min(links.linked_key) as smallest_link,
        max(links.similarity) as best_similarity

    from exact_groups
    left join links
        on exact_groups.exact_key = links.exact_key
    group by exact_groups.exact_key

),

first_hop_keys as (

    select
        exact_key,
        best_similarity,
        case
            when smallest_link is not null and smallest_link < exact_key then smallest_link
            else exact_key
        end as hop_key

    from first_hop

),

second_hop as (

    select
        first_hop_keys.exact_key,
        first_hop_keys.best_similarity,
        min(
            case
                when linked.hop_key < first_hop_keys.hop_key then linked.hop_key
                else first_hop_keys.hop_key
            end
        ) as vacancy_key

    from first_hop_keys
    left join links
        on first_hop_keys.exact_key = links.exact_key
    left join first_hop_keys as linked
        on links.linked_key = linked.exact_key
    group by first_hop_keys.exact_key, first_hop_keys.best_similarity, first_hop_keys.hop_key

),

final as (

    select
        keyed.posting_id,
        keyed.board,
        keyed.exact_key,
        second_hop.vacancy_key as dedup_key,
        second_hop.best_similarity as near_duplicate_similarity,
        second_hop.vacancy_key <> keyed.exact_key as is_near_duplicate

    from keyed
    inner join second_hop
        on keyed.exact_key = second_hop.exact_key

)

select * from final
