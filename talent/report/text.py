"""Stable text for machine-read values (CSV cells and the cards' data-value attributes)."""

from __future__ import annotations

import math

from talent.units import MISSING, to_number


def plain_number(value: float | None) -> str:
    """At most 6 decimals, no trailing zeros, no exponent, no '-0'; empty for missing, NaN or inf."""
    if value is None or math.isnan(value) or math.isinf(value):
        return ""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def ratio_text(value: object) -> str:
    """A ratio as the tables print it: two decimals, or the missing-value dash."""
    number = to_number(value)
    return MISSING if number is None else f"{number:.2f}"
