"""The checks one school record (or a 合计/小计 row) must pass before its figures count: within-row
consistency (graduates within the cohort's intake, destinations adding up, reported rates agreeing
with the counts), the graduation year's plausible window, and subtotals adding up. Each returns
(field, reason) pairs; the caller writes them into `parse_error`/`parse_error_field` and the
validator quarantines the record."""

from __future__ import annotations

from datetime import date

from extractors.school_cells import COUNT_FIELDS, DESTINATIONS, Rate, parse_count

FIRST_YEAR = 2000  # no export the warehouse reads goes back further; an earlier year is a typo


def year_problem(year: int | None, as_of: date) -> str | None:
    """A graduation year outside FIRST_YEAR..the data date's year: a cohort that has not graduated
    by the data date has no destinations to report."""
    if year is None:
        return None
    if year < FIRST_YEAR:
        return f"year: {year} is before {FIRST_YEAR}"
    if year > as_of.year:
        return f"year: the {year} cohort graduates after the data date {as_of.isoformat()}"
    return None


def consistency(rec: dict, rates: dict[str, Rate] | None = None) -> list[tuple[str, str]]:
    errors = []
    if rec["graduates"] is not None and rec["enrolment"] is not None and rec["graduates"] > rec["enrolment"]:
        errors.append(
            (
                "graduates",
                f"graduates: {rec['graduates']} exceed the cohort's enrolment of {rec['enrolment']}",
            )
        )
    values = [rec[k] for k in DESTINATIONS]
    if (
        rec["graduates"] is not None
        and all(v is not None for v in values)
        and sum(values) != rec["graduates"]
    ):
        errors.append(
            (
                "employed, further_study, military, not_placed",
                f"destinations add up to {sum(values)}, not to graduates {rec['graduates']}",
            )
        )
    errors.extend(_rate_problems(rec, rates or {}))
    return errors


def _ratio(numerator: int | None, denominator: int | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def _rate_problems(rec: dict, rates: dict[str, Rate]) -> list[tuple[str, str]]:
    """A reported rate must agree with at least one reading of the counts beside it. 就业率 is
    counted three ways in Chinese school statistics (employed only; with 升学; every destination
    but 待就业, the 去向落实率); 对口就业率 over the employed or over all graduates. When none of the
    readings can be computed the rate stands alone, unchecked."""
    g = rec["graduates"]
    readings = {
        "employment_rate_reported": (
            _ratio(rec["employed"], g),
            _ratio(
                None
                if rec["employed"] is None or rec["further_study"] is None
                else rec["employed"] + rec["further_study"],
                g,
            ),
            _ratio(None if rec["not_placed"] is None or g is None else g - rec["not_placed"], g),
        ),
        "in_field_rate_reported": (_ratio(rec["in_field"], rec["employed"]), _ratio(rec["in_field"], g)),
    }
    errors = []
    for key, rate in rates.items():
        computed = [r for r in readings[key] if r is not None]
        if computed and not any(abs(rate.value - r) <= rate.tolerance for r in computed):
            nearest = min(computed, key=lambda r: abs(rate.value - r))
            errors.append(
                (key, f"{key}: {rate.value:.1%} disagrees with the counts ({nearest:.1%} from them)")
            )
    return errors


def subtotal_problems(cells: dict[str, object], parts: list[dict]) -> list[tuple[str, int, int]]:
    """(field, stated, summed) for every count a 合计/小计 row states that the rows under it do not
    add up to. A field is compared only when the subtotal and every row under it state it."""
    wrong = []
    for key in COUNT_FIELDS:
        stated, problem = parse_count(cells.get(key))
        if stated is None or problem or not parts:
            continue
        values = [p[key] for p in parts]
        if any(v is None for v in values):
            continue
        if sum(values) != stated:
            wrong.append((key, stated, sum(values)))
    return wrong
