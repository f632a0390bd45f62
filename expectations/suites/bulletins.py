"""Suite for `bulletins`: one row per indicator extracted from a 统计公报 (contract section 2)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from expectations.suites._common import DEFAULT_MOSTLY, Check, base_checks, critical, warning

if TYPE_CHECKING:
    import pandas as pd

SUITE_NAME = "bulletins"
VALUE_OR_TEXT = "_value_or_value_text"

COLUMNS: dict[str, str] = {
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

# The skeleton indicators of contract section 2. A new indicator must be added here on purpose:
# marts key on these names, so an unknown one is more likely a parser slip than news.
KNOWN_INDICATORS = [
    "gdp",
    "gdp_growth_pct",
    "industry_structure",
    "resident_population",
    "urbanization_rate_pct",
    "rural_labour_outflow",
    "labour_income",
]


def derive(frame: pd.DataFrame) -> pd.DataFrame:
    """Add `_value_or_value_text`: null only when a row has neither figure."""
    if "value" in frame.columns and "value_text" in frame.columns:
        frame[VALUE_OR_TEXT] = (
            frame["value"].astype(object).where(frame["value"].notna(), frame["value_text"])
        )
    return frame


def checks() -> list[Check]:
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    return [
        *base_checks(COLUMNS),
        critical(
            "region_present",
            gxe.ExpectColumnValuesToNotBeNull(column="region", mostly=DEFAULT_MOSTLY),
            "region is missing",
        ),
        critical(
            "year_present",
            gxe.ExpectColumnValuesToNotBeNull(column="year", mostly=DEFAULT_MOSTLY),
            "year is missing",
        ),
        critical(
            "year_in_range",
            gxe.ExpectColumnValuesToBeBetween(
                column="year", min_value=1949, max_value=2100, mostly=DEFAULT_MOSTLY
            ),
            "year is outside 1949-2100",
        ),
        critical(
            "indicator_known",
            gxe.ExpectColumnValuesToBeInSet(
                column="indicator", value_set=KNOWN_INDICATORS, mostly=DEFAULT_MOSTLY
            ),
            "indicator is not one of the known indicators",
        ),
        critical(
            "indicator_present",
            gxe.ExpectColumnValuesToNotBeNull(column="indicator", mostly=DEFAULT_MOSTLY),
            "indicator is missing",
        ),
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
        warning(
            "one_row_per_region_year_indicator",
            gxe.ExpectCompoundColumnsToBeUnique(column_list=["region", "year", "indicator"]),
            "the same region, year and indicator appear more than once",
        ),
    ]
