"""Building blocks shared by the suites: the `Check` wrapper that gives every Great Expectations
expectation a stable name, a severity and a readable reason, plus the checks every landing gets.

Nothing here imports Great Expectations at module level: the loader imports the suites for
their column types, and that must stay cheap (GX takes ~3 s to import).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

CRITICAL = "critical"
WARNING = "warning"

# Share of rows a row-level critical expectation must pass before the whole landing fails.
# Failing rows are quarantined either way; the threshold only decides when "a few bad rows"
# becomes "the extractor is broken". 5% absorbs odd source rows, not a broken parser.
DEFAULT_MOSTLY = 0.95
# Column that carries the 1-based line of records.jsonl; GX reports failing rows by it.
ROW_COLUMN = "_row"
# Column the runner fills with type problems ("year: expected integer, got str"), null when fine.
PROBLEMS_COLUMN = "_problems"

# Every source's landing is checked with the scrubber's own detector (`personal_data_checks`), which
# sees every disguise it masks; there is no second, weaker list of patterns to drift from it.
# Helper column `_pii_<column>`: the kinds of personal data the detector finds in <column>, or null.
PERSONAL_DATA_PREFIX = "_pii_"


def redact(text: str) -> str:
    """Mask personal data in a quarantined copy, so the quarantine never spreads what the
    privacy checks caught (the raw line stays where it is, referenced by row number)."""
    # The suites otherwise never import the extractors; the scrubber is the exception on purpose:
    # a gate weaker than the scrubber is how disguised numbers got through (issue 14).
    from extractors.privacy import scrub

    return scrub(text) or text


def flag_personal_data(frame: Any, columns: Iterable[str]) -> Any:
    """Add `_pii_<column>` for each text column: the kinds of personal data
    `extractors.privacy.personal_data_kinds` finds in it ("mobile number; contact name"), else null.
    Scrubbed text never has any (the detector is the scrubber's own rules), so a hit means a value
    reached the landing unscrubbed."""
    from extractors.privacy import personal_data_kinds

    for column in columns:
        if column not in frame.columns:
            continue
        values = frame[column]
        # Most text columns repeat a few values (county, industry): detect once per distinct value.
        found = {
            value: "; ".join(personal_data_kinds(value)) or None
            for value in values.dropna().unique()
            if isinstance(value, str)
        }
        frame[PERSONAL_DATA_PREFIX + column] = [found.get(v) if isinstance(v, str) else None for v in values]
    return frame


def personal_data_checks(columns: Iterable[str]) -> list[Check]:
    """One critical check per text column that its `_pii_<column>` is null in *every* row (no
    `mostly`): personal data in a landing means the scrubber was bypassed, so the landing is refused,
    and the rows that hold it are quarantined (redacted) for the report."""
    import great_expectations.expectations as gxe

    return [
        critical(
            f"{column}_has_no_personal_data",
            gxe.ExpectColumnValuesToBeNull(column=PERSONAL_DATA_PREFIX + column),
            f"{column} contains unmasked personal data (a phone number, e-mail, ID number, QQ/WeChat id"
            " or contact name the scrubber masks)",
            (column,),
        )
        for column in columns
    ]


@dataclass
class Check:
    """One expectation of a suite.

    `name` is stable (used in result.json and quarantine reasons), `severity` is critical or
    warning, `fields` are the record fields a failing row is blamed on, and `reason` is the
    English sentence written into quarantine records.
    """

    name: str
    severity: str
    expectation: Any
    reason: str
    fields: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.severity not in (CRITICAL, WARNING):
            raise ValueError(f"check {self.name}: severity must be critical or warning, not {self.severity}")
        # The severity also travels inside GX's own metadata, so a suite exported from the
        # context (or rendered as data docs) still says which expectations block a landing.
        self.expectation.meta = {"check": self.name, "severity": self.severity, "reason": self.reason}
        if not self.fields:
            self.fields = _fields_of(self.expectation)

    @property
    def mostly(self) -> float | None:
        return getattr(self.expectation, "mostly", None)


def _fields_of(expectation: Any) -> tuple[str, ...]:
    """The record fields an expectation looks at; helper columns (leading "_") are not fields."""
    names = [getattr(expectation, attr, None) for attr in ("column", "column_A", "column_B")]
    names += list(getattr(expectation, "column_list", None) or [])
    return tuple(n for n in names if isinstance(n, str) and not n.startswith("_"))


def critical(name: str, expectation: Any, reason: str, fields: tuple[str, ...] = ()) -> Check:
    return Check(name, CRITICAL, expectation, reason, fields)


def warning(name: str, expectation: Any, reason: str, fields: tuple[str, ...] = ()) -> Check:
    return Check(name, WARNING, expectation, reason, fields)


def base_checks(columns: dict[str, str]) -> list[Check]:
    """Checks every landing gets: its columns exist, it has rows, and every value has the JSON
    type its column needs (so the loader's typed `read_json` cannot fail on it)."""
    import great_expectations.expectations as gxe

    return [
        critical(
            "required_columns",
            gxe.ExpectTableColumnsToMatchSet(column_set=sorted(columns), exact_match=False),
            "the landing lacks required columns",
            ("(columns)",),
        ),
        critical(
            "landing_not_empty",
            gxe.ExpectTableRowCountToBeBetween(min_value=1),
            "the landing has no rows",
            ("(table)",),
        ),
        critical(
            "values_have_contract_types",
            gxe.ExpectColumnValuesToBeNull(column=PROBLEMS_COLUMN, mostly=DEFAULT_MOSTLY),
            "a value does not have the type the contract gives its column",
            ("(types)",),
        ),
    ]


def add_missing_columns(frame: Any, columns: Iterable[str]) -> Any:
    """Give a landing written before optional fields existed null (object) columns for them, so the
    checks that read them run (and pass) instead of erroring on a missing column."""
    for column in columns:
        if column not in frame.columns:
            frame[column] = None
    return frame


def present(column: str) -> Check:
    """Critical: `column` is not null (in all but the DEFAULT_MOSTLY share of rows)."""
    import great_expectations.expectations as gxe

    return critical(
        f"{column}_present",
        gxe.ExpectColumnValuesToNotBeNull(column=column, mostly=DEFAULT_MOSTLY),
        f"{column} is missing",
    )


def between(
    name: str,
    column: str,
    reason: str,
    *,
    min_value: Any = None,
    max_value: Any = None,
    fields: tuple[str, ...] = (),
) -> Check:
    """Critical: `column` lies within [min_value, max_value] (either end open when None)."""
    import great_expectations.expectations as gxe

    bounds = {
        key: value for key, value in (("min_value", min_value), ("max_value", max_value)) if value is not None
    }
    return critical(
        name,
        gxe.ExpectColumnValuesToBeBetween(column=column, **bounds, mostly=DEFAULT_MOSTLY),
        reason,
        fields,
    )


def not_above(
    name: str, column: str, limit: str, reason: str, *, severity: str = CRITICAL, fields: tuple[str, ...] = ()
) -> Check:
    """`column` <= `limit` row by row, rows missing either value ignored. A critical check tolerates
    the DEFAULT_MOSTLY share of failing rows; a warning reports every one."""
    import great_expectations.expectations as gxe

    mostly = {"mostly": DEFAULT_MOSTLY} if severity == CRITICAL else {}
    expectation = gxe.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A=limit, column_B=column, or_equal=True, ignore_row_if="either_value_is_missing", **mostly
    )
    return Check(name, severity, expectation, reason, fields)
