"""Suite for `school_records`: one row per school x graduation year x major (contract section 2)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from expectations.suites._common import DEFAULT_MOSTLY, Check, base_checks, critical, warning

if TYPE_CHECKING:
    import pandas as pd

SUITE_NAME = "school_records"

COLUMNS: dict[str, str] = {
    "school": "varchar",
    "year": "integer",
    "major_code": "varchar",
    "major_name": "varchar",
    "enrolment": "integer",
    "graduates": "integer",
    "employed": "integer",
    "further_study": "integer",
    "military": "integer",
    "not_placed": "integer",
    "in_field": "integer",
    "employed_local": "integer",
    "source_file": "varchar",
    "source_row": "integer",
}

COUNT_COLUMNS = [
    "enrolment",
    "graduates",
    "employed",
    "further_study",
    "military",
    "not_placed",
    "in_field",
    "employed_local",
]
PLACEMENT_COLUMNS = ["employed", "further_study", "military", "not_placed"]
PLACEMENT_TOTAL = "_placement_total"


def derive(frame: pd.DataFrame) -> pd.DataFrame:
    """Add the sum of the four destinations, so GX can compare it with graduates row by row
    (GX has no expectation for "column equals the sum of other columns")."""
    if all(c in frame.columns for c in PLACEMENT_COLUMNS):
        # min_count: a row with any destination missing gets NaN and is not compared.
        frame[PLACEMENT_TOTAL] = frame[PLACEMENT_COLUMNS].sum(axis=1, min_count=len(PLACEMENT_COLUMNS))
    return frame


def checks() -> list[Check]:
    import great_expectations.expectations as gxe

    non_negative = [
        critical(
            f"{column}_not_negative",
            gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0, mostly=DEFAULT_MOSTLY),
            f"{column} is negative",
        )
        for column in COUNT_COLUMNS
    ]
    return [
        *base_checks(COLUMNS),
        critical(
            "school_present",
            gxe.ExpectColumnValuesToNotBeNull(column="school", mostly=DEFAULT_MOSTLY),
            "school is missing",
        ),
        critical(
            "year_in_range",
            gxe.ExpectColumnValuesToBeBetween(
                column="year", min_value=2000, max_value=2100, mostly=DEFAULT_MOSTLY
            ),
            "year is outside 2000-2100",
        ),
        critical(
            "year_present",
            gxe.ExpectColumnValuesToNotBeNull(column="year", mostly=DEFAULT_MOSTLY),
            "year is missing",
        ),
        critical(
            "major_code_six_digits",
            gxe.ExpectColumnValuesToMatchRegex(column="major_code", regex=r"^\d{6}$", mostly=DEFAULT_MOSTLY),
            "major_code is not six digits",
        ),
        critical(
            "major_code_present",
            gxe.ExpectColumnValuesToNotBeNull(column="major_code", mostly=DEFAULT_MOSTLY),
            "major_code is missing",
        ),
        critical(
            "graduates_present",
            gxe.ExpectColumnValuesToNotBeNull(column="graduates", mostly=DEFAULT_MOSTLY),
            "graduates is missing",
        ),
        *non_negative,
        critical(
            "placements_add_up_to_graduates",
            gxe.ExpectColumnPairValuesToBeEqual(
                column_A="graduates",
                column_B=PLACEMENT_TOTAL,
                ignore_row_if="either_value_is_missing",
                mostly=DEFAULT_MOSTLY,
            ),
            "employed + further_study + military + not_placed does not equal graduates",
            ("graduates", *PLACEMENT_COLUMNS),
        ),
        warning(
            "in_field_within_employed",
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="employed",
                column_B="in_field",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
            ),
            "in_field is greater than employed",
            ("in_field", "employed"),
        ),
        warning(
            "employed_local_within_employed",
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="employed",
                column_B="employed_local",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
            ),
            "employed_local is greater than employed",
            ("employed_local", "employed"),
        ),
        warning(
            "one_row_per_school_year_major",
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["school", "year", "major_code"]),
            "the same school, year and major_code appear more than once",
        ),
    ]
