"""Suite shared by `job_board_zhaopin` and `job_board_rencai`: one row per job ad, personal data
already masked by the extractor (contract section 2). The privacy checks here are the last gate
before postings reach the warehouse, so they are critical; so are the checks that keep bad input
out of the demand counts (items the adapter could not read, dates before 2000 or after the
extraction window, salaries no Bazhong employer pays). Each failing row is quarantined with its
reason and row; the rest of the landing loads."""

from __future__ import annotations

from datetime import datetime

from expectations.suites._common import (
    DEFAULT_MOSTLY,
    WARNING,
    Check,
    add_missing_columns,
    base_checks,
    between,
    critical,
    flag_personal_data,
    not_above,
    personal_data_checks,
    present,
    warning,
)

SUITE_NAME = "job_board"

COLUMNS: dict[str, str] = {
    "source": "varchar",
    "source_id": "varchar",
    "url": "varchar",
    "title": "varchar",
    "company": "varchar",
    "salary": "varchar",
    "education": "varchar",
    "experience": "varchar",
    "location": "varchar",
    "description": "varchar",
    "posted_at": "date",
    "headcount": "integer",
    "salary_min": "double",
    "salary_max": "double",
    "salary_months": "integer",
    "county": "varchar",
    "in_region": "boolean",
    "industry": "varchar",
    "education_level": "varchar",
    "dedup_key": "varchar",
    "salary_negotiable": "boolean",
    "salary_parse_error": "varchar",
    "experience_min_years": "integer",
    "experience_max_years": "integer",
    "occupation_code": "varchar",
    "skill_tags": "varchar",
    "title_key": "varchar",
    "company_key": "varchar",
    "description_minhash": "varchar",
    "window_end": "date",
    "parse_error": "varchar",
}
# Fields added by the normaliser after the first landings were written: a landing without them
# (an older extractor) still validates, its rows load with nulls there (see `derive`).
OPTIONAL_COLUMNS = (
    "salary_negotiable",
    "salary_parse_error",
    "experience_min_years",
    "experience_max_years",
    "occupation_code",
    "skill_tags",
    "title_key",
    "company_key",
    "description_minhash",
    "window_end",
    "parse_error",
)
# What a monthly wage in Bazhong can be (CNY): below is a unit error, above a typo.
SALARY_MIN_PLAUSIBLE = 500
SALARY_MAX_PLAUSIBLE = 300_000
EARLIEST_POSTING = "2000-01-01"

BOARD_KEY = r"^[a-z][a-z0-9_]*$"


# Every text column except identifiers and fingerprints gets the personal-data detector, keys
# derived from text included (a title_key once held a full-width phone folded to digits).
IDENTIFIER_COLUMNS = ("source", "source_id", "url", "dedup_key", "description_minhash")
TEXT_COLUMNS = tuple(c for c, kind in COLUMNS.items() if kind == "varchar" and c not in IDENTIFIER_COLUMNS)


def derive(frame):
    """Null columns for the optional fields a landing written before them lacks, and the
    `_pii_<column>` helper columns of the personal-data checks."""
    return flag_personal_data(add_missing_columns(frame, OPTIONAL_COLUMNS), TEXT_COLUMNS)


def checks() -> list[Check]:
    import great_expectations.expectations as gxe

    def not_blank(column: str) -> Check:
        # Null is reported by *_present; this catches "" and whitespace-only strings.
        return critical(
            f"{column}_not_blank",
            gxe.ExpectColumnValuesToMatchRegex(column=column, regex=r"\S", mostly=DEFAULT_MOSTLY),
            f"{column} is empty",
        )

    return [
        *base_checks(COLUMNS),
        critical(
            "item_readable",
            gxe.ExpectColumnValuesToBeNull(column="parse_error", mostly=DEFAULT_MOSTLY),
            "the board's item could not be read (see parse_error in the record)",
            ("parse_error",),
        ),
        critical(
            "source_is_a_board",
            # Boards come from the sources config (adding one needs no code change): a board key
            # is a lowercase identifier.
            gxe.ExpectColumnValuesToMatchRegex(column="source", regex=BOARD_KEY, mostly=DEFAULT_MOSTLY),
            "source is not a board key from the sources config",
        ),
        present("source_id"),
        critical(
            "source_id_unique",
            # Stricter than the default: a repeated id or two is a board quirk (both copies are
            # quarantined); more than 1% means the extractor's paging looped.
            gxe.ExpectColumnValuesToBeUnique(column="source_id", mostly=0.99),
            "source_id occurs more than once in the landing",
        ),
        present("title"),
        not_blank("title"),
        present("company"),
        not_blank("company"),
        present("posted_at"),
        # Calendar validity of posted_at (2025-02-30) is part of values_have_contract_types: the
        # runner checks every date column vectorised, since GX's strftime check costs ~1 s/100k rows.
        between(
            "headcount_in_range", "headcount", "headcount is outside 1-1000", min_value=1, max_value=1000
        ),
        between(
            "posted_at_not_before_2000",
            "posted_at",
            f"posted_at is before {EARLIEST_POSTING}",
            min_value=datetime(2000, 1, 1),
        ),
        not_above(
            "posted_at_not_after_window",
            "posted_at",
            "window_end",
            "posted_at is in the future (after the last day the extraction covered, window_end)",
            fields=("posted_at",),
        ),
        *(
            between(
                f"{column}_plausible",
                column,
                f"{column} is outside the plausible {SALARY_MIN_PLAUSIBLE}-{SALARY_MAX_PLAUSIBLE} CNY a month",
                min_value=SALARY_MIN_PLAUSIBLE,
                max_value=SALARY_MAX_PLAUSIBLE,
            )
            for column in ("salary_min", "salary_max")
        ),
        present("dedup_key"),
        critical(
            "dedup_key_is_sha1",
            # 40 letters a-p (the sha1 with its digits spelled g-p); plain hex from older landings too
            gxe.ExpectColumnValuesToMatchRegex(
                column="dedup_key", regex=r"^[0-9a-p]{40}$", mostly=DEFAULT_MOSTLY
            ),
            "dedup_key is not a 40-character sha1 key",
        ),
        *personal_data_checks(TEXT_COLUMNS),
        not_above(
            "salary_min_not_above_max",
            "salary_min",
            "salary_max",
            "salary_min is greater than salary_max",
            severity=WARNING,
            fields=("salary_min", "salary_max"),
        ),
        warning(
            "salary_not_negative",
            gxe.ExpectColumnValuesToBeBetween(column="salary_min", min_value=0),
            "salary_min is negative",
        ),
        warning(
            "in_region_present",
            gxe.ExpectColumnValuesToNotBeNull(column="in_region"),
            "in_region is missing, so the ad counts for no region",
        ),
        warning(
            "url_present",
            gxe.ExpectColumnValuesToNotBeNull(column="url"),
            "url is missing, so the ad cannot be traced to its page",
        ),
    ]
