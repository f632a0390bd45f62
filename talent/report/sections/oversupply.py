"""Section 七: majors at risk of oversupply, formatted from the report month's rows of
marts.oversupply_majors (dbt_project/models/marts/report/oversupply_majors.sql computes them)."""

from __future__ import annotations

from typing import Any

from talent.report.read import Table
from talent.report.text import ratio_text
from talent.units import fmt_int, to_number

SHOWN = 15
RISK_CN = {"high": "高", "medium": "中", "low": "低"}
# The columns of the shipped oversupply_majors.csv/.parquet (the mart's, less its key and month).
COLUMNS = (
    "year",
    "major_code",
    "major_name",
    "industry",
    "graduates",
    "industry_graduates",
    "industry_demand_next12",
    "demand_per_graduate",
    "oversupply_risk",
    "demand_basis",
)


def _rounded(value: Any) -> Any:
    # Six decimals in the shipped files, so float noise in the last digits never changes their bytes.
    return round(value, 6) if isinstance(value, float) else value


def oversupply_section(oversupply: Table | None) -> dict[str, Any]:
    """``oversupply`` holds the report month's rows in rank order; None when the mart is not built."""
    records = oversupply.records() if oversupply is not None else []
    if not records:
        return {"available": False, "rows": [], "table": None}
    at_risk = [r for r in records if r["oversupply_risk"] != "low" and (to_number(r["graduates"]) or 0) > 0]
    shown = [
        {
            "major_code": r["major_code"],
            "major_name": r["major_name"],
            "industry": r["industry"],
            "risk": r["oversupply_risk"],
            "graduates_text": fmt_int(r["graduates"]),
            "industry_graduates_text": fmt_int(r["industry_graduates"]),
            "industry_demand_text": fmt_int(r["industry_demand_next12"]),
            "ratio_text": ratio_text(r["demand_per_graduate"]),
            "risk_cn": RISK_CN[r["oversupply_risk"]],
        }
        for r in at_risk[:SHOWN]
    ]
    return {
        "available": True,
        "year": records[0]["year"],
        "rows": shown,
        "at_risk": len(at_risk),
        "basis": records[0]["demand_basis"],
        "table": Table(COLUMNS, tuple(tuple(_rounded(r[c]) for c in COLUMNS) for r in records)),
    }
