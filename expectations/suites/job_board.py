"""Suite shared by `job_board_zhaopin` and `job_board_rencai`: one row per job ad, personal data
already masked by the extractor (contract section 2). The privacy checks here are the last gate
before postings reach the warehouse, so they are critical."""

from __future__ import annotations

from expectations.suites._common import (
    DEFAULT_MOSTLY,
    Check,
    base_checks,
    critical,
    no_personal_data,
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
}

BOARDS = ["zhaopin", "rencai"]


def checks() -> list[Check]:
    import great_expectations.expectations as gxe

    def present(column: str) -> Check:
        return critical(
            f"{column}_present",
            gxe.ExpectColumnValuesToNotBeNull(column=column, mostly=DEFAULT_MOSTLY),
            f"{column} is missing",
        )

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
            "source_is_a_board",
            gxe.ExpectColumnValuesToBeInSet(column="source", value_set=BOARDS, mostly=DEFAULT_MOSTLY),
            "source is not one of the known boards (zhaopin, rencai)",
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
        critical(
            "headcount_in_range",
            gxe.ExpectColumnValuesToBeBetween(
                column="headcount", min_value=1, max_value=1000, mostly=DEFAULT_MOSTLY
            ),
            "headcount is outside 1-1000",
        ),
        present("dedup_key"),
        critical(
            "dedup_key_is_sha1",
            gxe.ExpectColumnValuesToMatchRegex(
                column="dedup_key", regex=r"^[0-9a-f]{40}$", mostly=DEFAULT_MOSTLY
            ),
            "dedup_key is not a 40-character hex sha1",
        ),
        no_personal_data("description", "mobile number"),
        no_personal_data("description", "e-mail address"),
        no_personal_data("description", "ID card number"),
        no_personal_data("title", "mobile number"),
        no_personal_data("company", "mobile number"),
        warning(
            "salary_min_not_above_max",
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="salary_max",
                column_B="salary_min",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
            ),
            "salary_min is greater than salary_max",
            ("salary_min", "salary_max"),
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
