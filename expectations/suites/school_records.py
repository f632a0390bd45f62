"""Suite for `school_records`: one row per school x graduation year x major (contract section 2).

Besides the shape checks, two checks carry the extractor's own verdicts: a record with
`parse_error` (a bad count, an unknown major code, a subtotal that does not add up, a student row
that could not be counted) and a record with `superseded_by` (an earlier version of figures a later
file corrects) is reported. The first is quarantined; the second is a warning and is loaded: both
versions stay in `raw.school_records`, and staging keeps the later one and flags the correction."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
# Columns added by the school-records issue. Optional in a landing (older landings lack them, and
# `derive` adds them as nulls) but loaded when present.
OPTIONAL_COLUMNS: dict[str, str] = {
    "sheet": "varchar",
    "record_kind": "varchar",
    "major_code_reported": "varchar",
    "parse_error": "varchar",
    "parse_error_field": "varchar",
    "superseded_by": "varchar",
    "is_correction": "boolean",
    # issue 12.4: on-roll (在校生数) kept apart from the cohort's intake, and the rates a school
    # reports (fractions 0..1, checked against the counts by the extractor)
    "on_roll": "integer",
    "employment_rate_reported": "double",
    "in_field_rate_reported": "double",
}
REQUIRED_COLUMNS = dict(COLUMNS)
COLUMNS.update(OPTIONAL_COLUMNS)

COUNT_COLUMNS = [
    "enrolment",
    "graduates",
    "employed",
    "further_study",
    "military",
    "not_placed",
    "in_field",
    "employed_local",
    "on_roll",
]
RATE_COLUMNS = ["employment_rate_reported", "in_field_rate_reported"]
# The extractor's plausible bound (extractors.school_cells.MAX_COUNT), checked here too so that a
# landing written by an older extractor cannot carry a count the raw table's 32-bit column rejects.
MAX_COUNT = 100_000
PLACEMENT_COLUMNS = ["employed", "further_study", "military", "not_placed"]
PLACEMENT_TOTAL = "_placement_total"


# The fields the extractor blames in `parse_error_field`, each with its own check, so a quarantine
# record names the real field and a specific reason (what the extractor wrote stays in the record).
PROBLEM_FIELDS: dict[str, str] = {
    "school": "school is not in the row, the title or the file name",
    "year": (
        "year is not a year, not in the row, the title or the file name, or outside 2000..the data "
        "date (a cohort that has not graduated yet)"
    ),
    "major_code": "major_code is malformed, or in neither the 2021 catalogue nor the old-to-new mapping",
    "enrolment": "enrolment is not a whole non-negative number within the plausible bound",
    "on_roll": "on_roll is not a whole non-negative number within the plausible bound",
    "graduates": (
        "graduates is not a whole non-negative number, exceeds the cohort's enrolment, "
        "or a subtotal row's graduates does not add up"
    ),
    "employed": "employed is not a whole non-negative number, or destinations do not add up to graduates",
    "further_study": "further_study is not a whole non-negative number, or destinations do not add up",
    "military": "military is not a whole non-negative number, or destinations do not add up",
    "not_placed": "not_placed is not a whole non-negative number, or destinations do not add up",
    "in_field": "in_field is not a whole non-negative number, or a subtotal does not add up",
    "employed_local": "employed_local is not a whole non-negative number, or a subtotal does not add up",
    "destination": "a student's 毕业去向 is empty or not a known destination",
    "id_number": "a student is listed again (same ID number); counted once",
    "in_field_flag": "a student's 是否对口 is neither 是 nor 否",
    "employment_rate_reported": "the reported 就业率 is not a rate, or disagrees with the counts",
    "in_field_rate_reported": "the reported 对口就业率 is not a rate, or disagrees with the counts",
    "file": "the whole file (or sheet) could not be read: unreadable, unsupported format or no usable header",
}
OTHER_PROBLEM = "_problem_other"


def _problem_column(field: str) -> str:
    return f"_problem_{field}"


# Codes are digits by design (major codes), so they are left to their own format checks.
TEXT_COLUMNS = tuple(
    c
    for c, kind in {**COLUMNS, **OPTIONAL_COLUMNS}.items()
    if kind == "varchar" and c not in ("major_code", "major_code_reported")
)


def derive(frame: pd.DataFrame) -> pd.DataFrame:
    """Add the helper columns some checks need: the sum of the four destinations, so GX can compare
    it with graduates row by row (GX has no expectation for "column equals the sum of other
    columns"), and one `_problem_<field>` column per field the extractor can blame."""
    add_missing_columns(frame, OPTIONAL_COLUMNS)
    blamed = frame["parse_error_field"].map(
        lambda v: {f.strip() for f in v.split(",")} if isinstance(v, str) else set()
    )
    has_error = frame["parse_error"].notna()
    for field in PROBLEM_FIELDS:
        frame[_problem_column(field)] = frame["parse_error"].where(
            has_error & blamed.map(lambda s, f=field: f in s)
        )
    known = set(PROBLEM_FIELDS)
    frame[OTHER_PROBLEM] = frame["parse_error"].where(has_error & blamed.map(lambda s: not (s & known)))
    if all(c in frame.columns for c in PLACEMENT_COLUMNS):
        # min_count: a row with any destination missing gets NaN and is not compared.
        frame[PLACEMENT_TOTAL] = frame[PLACEMENT_COLUMNS].sum(axis=1, min_count=len(PLACEMENT_COLUMNS))
    # The scrubber's own detector over every text column, as for the other sources: a school name,
    # a major or a note with a phone, e-mail, ID or name in it refuses the landing.
    flag_personal_data(frame, TEXT_COLUMNS)
    return frame


def checks() -> list[Check]:
    import great_expectations.expectations as gxe

    non_negative = [
        between(
            f"{column}_in_range",
            column,
            f"{column} is negative or above {MAX_COUNT:,}",
            min_value=0,
            max_value=MAX_COUNT,
        )
        for column in COUNT_COLUMNS
    ]
    rates = [
        between(f"{column}_is_a_rate", column, f"{column} is not between 0 and 1", min_value=0, max_value=1)
        for column in RATE_COLUMNS
    ]
    return [
        *base_checks(REQUIRED_COLUMNS),
        *(
            critical(
                f"readable_{field}",
                gxe.ExpectColumnValuesToBeNull(column=_problem_column(field), mostly=DEFAULT_MOSTLY),
                f"{reason} (the record's parse_error says exactly what)",
                (field,),
            )
            for field, reason in PROBLEM_FIELDS.items()
        ),
        critical(
            "extractor_found_no_other_problem",
            gxe.ExpectColumnValuesToBeNull(column=OTHER_PROBLEM, mostly=DEFAULT_MOSTLY),
            "the extractor could not count this row (its parse_error and parse_error_field say why and where)",
            ("parse_error",),
        ),
        not_above(
            "graduates_within_enrolment",
            "graduates",
            "enrolment",
            "graduates exceed the cohort's enrolment",
            fields=("graduates", "enrolment"),
        ),
        *personal_data_checks(TEXT_COLUMNS),
        present("school"),
        between("year_in_range", "year", "year is outside 2000-2100", min_value=2000, max_value=2100),
        present("year"),
        critical(
            "major_code_six_digits",
            gxe.ExpectColumnValuesToMatchRegex(column="major_code", regex=r"^\d{6}$", mostly=DEFAULT_MOSTLY),
            "major_code is not six digits",
        ),
        present("major_code"),
        present("graduates"),
        *non_negative,
        *rates,
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
        *(
            not_above(
                f"{column}_within_employed",
                column,
                "employed",
                f"{column} is greater than employed",
                severity=WARNING,
                fields=(column, "employed"),
            )
            for column in ("in_field", "employed_local")
        ),
        warning(
            "not_superseded_by_a_correction",
            gxe.ExpectColumnValuesToBeNull(column="superseded_by"),
            "a later file gives this school, year and major again (superseded_by names it); the later one wins",
            ("superseded_by",),
        ),
        warning(
            "one_row_per_school_year_major",
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["school", "year", "major_code"]),
            "the same school, year and major_code appear more than once",
        ),
    ]
