"""Suite for `bulletins`: one row per indicator extracted from a 统计公报 (contract section 2).

Beyond the shape checks, the suite holds the plausibility rules of the bulletin issue: a growth or
change beyond ±50%, a rate outside 0–100, a negative level, or an industry structure that does not
add up to 100±0.3 is quarantined (row by row, with the sentence it came from in the record), and
rows of a page the extractor could not read as a bulletin (`parse_error`) are quarantined together.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from expectations.suites._common import (
    DEFAULT_MOSTLY,
    Check,
    add_missing_columns,
    base_checks,
    between,
    critical,
    flag_personal_data,
    personal_data_checks,
    present,
    warning,
)

if TYPE_CHECKING:
    import pandas as pd

SUITE_NAME = "bulletins"
VALUE_OR_TEXT = "_value_or_value_text"
GROWTH_VALUE = "_growth_value"
CHANGE_VALUE = "_change_value"
RATE_VALUE = "_rate_value"
LEVEL_VALUE = "_level_value"
STRUCTURE_SUM = "_structure_sum"
CORE_MISSING = "_core_missing"
VINTAGE_KEY = "_vintage_key"

# The columns every landing has had since the walking skeleton.
REQUIRED_COLUMNS: dict[str, str] = {
    "region": "varchar",
    "year": "integer",
    "indicator": "varchar",
    "value": "double",
    "value_text": "varchar",
    "unit": "varchar",
    "text": "varchar",
    "url": "varchar",
    "title": "varchar",
}
# Added with vintages; optional so a landing written before them still validates and loads (null).
OPTIONAL_COLUMNS: dict[str, str] = {
    "growth_pct": "double",
    "vintage": "date",
    "fetched_at": "varchar",
    "page_sha256": "varchar",
    "parse_error": "varchar",
}
COLUMNS: dict[str, str] = {**REQUIRED_COLUMNS, **OPTIONAL_COLUMNS}
# Bulletin prose can quote a contact line ("联系电话：0827-…"): every text column but the page's
# identifiers gets the personal-data detector.
TEXT_COLUMNS = ("region", "indicator", "value_text", "unit", "text", "title", "parse_error")

# The catalogue of extractors.bulletin_parser (kept here as data: the suites must not import the
# extractors). A new indicator must be added on purpose: marts key on these names, so an unknown
# one is more likely a parser slip than news.
KNOWN_INDICATORS = [
    "gdp",
    "gdp_growth_pct",
    "value_added_primary",
    "value_added_secondary",
    "value_added_tertiary",
    "industry_structure",
    "growth_contribution_primary",
    "growth_contribution_secondary",
    "growth_contribution_tertiary",
    "resident_population",
    "urban_population",
    "rural_population",
    "urbanization_rate_pct",
    "registered_population",
    "rural_labour_outflow",
    "labour_income",
    "new_urban_jobs",
    "new_urban_jobs_growth_pct",
    "rural_labour_outflow_growth_pct",
    "urban_unemployment_rate_pct",
    "cpi_change_pct",
    "private_economy_value_added",
    "private_economy_share_of_gdp_pct",
    "per_capita_disposable_income",
    "per_capita_disposable_income_urban",
    "per_capita_disposable_income_rural",
    "retail_sales",
    "fixed_asset_investment_growth_pct",
    "vocational_students",
    "vocational_graduates",
    "vocational_enrolment",
    "tourism_visitors",
    "tourism_revenue",
]
CORE_INDICATORS = ("gdp", "resident_population")
CHANGE_INDICATORS = {
    "gdp_growth_pct",
    "cpi_change_pct",
    "fixed_asset_investment_growth_pct",
    "new_urban_jobs_growth_pct",
    "rural_labour_outflow_growth_pct",
}
RATE_INDICATORS = {"urbanization_rate_pct", "urban_unemployment_rate_pct", "private_economy_share_of_gdp_pct"}
# Contributions can be negative (a shrinking sector) and above 100; they are not levels.
NOT_LEVELS = (
    CHANGE_INDICATORS
    | RATE_INDICATORS
    | {"industry_structure"}
    | {f"growth_contribution_{s}" for s in ("primary", "secondary", "tertiary")}
)
MAX_ABS_GROWTH = 50.0
STRUCTURE_TOLERANCE = 0.3
_RATIO = re.compile(r"^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$")


def _structure_sum(text) -> float | None:
    m = _RATIO.match(text) if isinstance(text, str) else None
    return sum(float(g) for g in m.groups()) if m else None


def derive(frame: pd.DataFrame) -> pd.DataFrame:
    """Helper columns for checks GX cannot express directly (see the constants above)."""
    import pandas as pd

    add_missing_columns(frame, OPTIONAL_COLUMNS)
    flag_personal_data(frame, TEXT_COLUMNS)
    if "value" in frame.columns and "value_text" in frame.columns:
        frame[VALUE_OR_TEXT] = (
            frame["value"].astype(object).where(frame["value"].notna(), frame["value_text"])
        )
    if not {"indicator", "value"} <= set(frame.columns):
        return frame
    indicator = frame["indicator"]
    # GX's `mostly` counts only non-null values, so rows a range check does not apply to get a value
    # inside the range instead of null: one bad structure among 50 rows is 2%, not 1 of 2 ratios.
    value = frame["value"].fillna(0.0)
    frame[GROWTH_VALUE] = pd.to_numeric(frame["growth_pct"], errors="coerce").fillna(0.0)
    frame[CHANGE_VALUE] = value.where(indicator.isin(CHANGE_INDICATORS), 0.0)
    frame[RATE_VALUE] = value.where(indicator.isin(RATE_INDICATORS), 0.0)
    frame[LEVEL_VALUE] = value.where(indicator.isin(set(KNOWN_INDICATORS) - NOT_LEVELS), 0.0)
    if "value_text" in frame.columns:
        sums = frame["value_text"].where(indicator == "industry_structure").map(_structure_sum)
        # an unreadable ratio is industry_structure_is_a_ratio's business, not this check's
        frame[STRUCTURE_SUM] = pd.to_numeric(sums, errors="coerce").astype("float64").fillna(100.0)
    if {"region", "year"} <= set(frame.columns):
        usable = frame["parse_error"].isna() & indicator.isin(CORE_INDICATORS)
        present = frame[usable].groupby(["region", "year"], dropna=False)["indicator"].agg(set)

        def missing(row) -> str | None:
            have = present.get((row["region"], row["year"]), set())
            gaps = [c for c in CORE_INDICATORS if c not in have]
            return ", ".join(gaps) or None

        frame[CORE_MISSING] = (
            frame.apply(missing, axis=1).astype(object) if len(frame) else pd.Series([], dtype=object)
        )
    frame[VINTAGE_KEY] = frame["vintage"].astype(object).where(frame["vintage"].notna(), "")
    return frame


def checks() -> list[Check]:
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    return [
        *base_checks(REQUIRED_COLUMNS),
        *personal_data_checks(TEXT_COLUMNS),
        present("region"),
        present("year"),
        between("year_in_range", "year", "year is outside 1949-2100", min_value=1949, max_value=2100),
        critical(
            "indicator_known",
            gxe.ExpectColumnValuesToBeInSet(
                column="indicator", value_set=KNOWN_INDICATORS, mostly=DEFAULT_MOSTLY
            ),
            "indicator is not one of the known indicators",
        ),
        present("indicator"),
        # A ratio such as the industry structure has no single number; its figure lives in
        # value_text. Only a row with neither carries nothing at all. (Checked on a derived column
        # rather than with a row_condition, so `mostly` counts all rows, not just those without
        # value_text, where one bad row would be 100%.)
        critical(
            "value_present_unless_value_text",
            gxe.ExpectColumnValuesToNotBeNull(column=VALUE_OR_TEXT, mostly=DEFAULT_MOSTLY),
            "value is missing and there is no value_text either",
            ("value", "value_text"),
        ),
        # The extractor names what is wrong with a page (not a bulletin, core indicators not
        # found) in parse_error; all rows of such a page go to quarantine together.
        critical(
            "page_is_a_readable_bulletin",
            gxe.ExpectColumnValuesToBeNull(column="parse_error", mostly=DEFAULT_MOSTLY),
            "the page is not a readable bulletin (parse_error says why; text is its first sentence)",
            ("parse_error",),
        ),
        between(
            "growth_plausible",
            GROWTH_VALUE,
            f"growth_pct is beyond ±{MAX_ABS_GROWTH:g}% (a misread figure, see text)",
            min_value=-MAX_ABS_GROWTH,
            max_value=MAX_ABS_GROWTH,
            fields=("growth_pct",),
        ),
        between(
            "change_plausible",
            CHANGE_VALUE,
            f"a growth/change indicator is beyond ±{MAX_ABS_GROWTH:g}% (a misread figure, see text)",
            min_value=-MAX_ABS_GROWTH,
            max_value=MAX_ABS_GROWTH,
            fields=("value",),
        ),
        between(
            "rate_plausible",
            RATE_VALUE,
            "a rate indicator is outside 0-100% (see text)",
            min_value=0,
            max_value=100,
            fields=("value",),
        ),
        between(
            "level_not_negative",
            LEVEL_VALUE,
            "a level (amount, headcount, income) is negative (see text)",
            min_value=0,
            fields=("value",),
        ),
        between(
            "structure_sums_to_100",
            STRUCTURE_SUM,
            f"industry_structure does not add up to 100±{STRUCTURE_TOLERANCE:g} (see text)",
            min_value=100 - STRUCTURE_TOLERANCE,
            max_value=100 + STRUCTURE_TOLERANCE,
            fields=("value_text",),
        ),
        warning(
            "core_indicators_present_per_year",
            gxe.ExpectColumnValuesToBeNull(column=CORE_MISSING),
            "a region and year lacks a core indicator (gdp, resident_population)",
            ("region", "year"),
        ),
        warning(
            "value_text_present",
            gxe.ExpectColumnValuesToNotBeNull(column="value_text"),
            "value_text is missing (every row should carry the figure as written)",
        ),
        warning(
            "industry_structure_is_a_ratio",
            gxe.ExpectColumnValuesToMatchRegex(
                column="value_text",
                regex=r"^\d+(?:\.\d+)?:\d+(?:\.\d+)?:\d+(?:\.\d+)?$",
                row_condition=Column("indicator") == "industry_structure",
            ),
            "industry_structure value_text is not of the form a:b:c",
        ),
        warning(
            "unit_present",
            gxe.ExpectColumnValuesToNotBeNull(column="unit"),
            "unit is missing",
        ),
        warning(
            "url_present",
            gxe.ExpectColumnValuesToNotBeNull(column="url"),
            "url is missing, so the figure cannot be traced to its bulletin",
        ),
        # Vintage-aware since vintages exist: a later bulletin revising a year is not a duplicate.
        # A warning: dbt's unique key test on the mart decides.
        warning(
            "one_row_per_region_year_indicator",
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["region", "year", "indicator", VINTAGE_KEY]),
            "the same region, year, indicator and vintage appear more than once",
            ("region", "year", "indicator", "vintage"),
        ),
    ]
