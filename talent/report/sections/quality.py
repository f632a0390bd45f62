"""Section 十's table: data quality per source, formatted from talent.report.quality.read_quality."""

from __future__ import annotations

from typing import Any

from expectations.labels import rule_label
from talent.units import fmt_int, fmt_pct

SOURCE_CN = {
    "bulletins": "统计公报",
    "job_board_zhaopin": "巴中招聘网",
    "job_board_rencai": "巴山人才网",
    "school_records": "院校毕业生数据",
}


def quality_section(quality: dict[str, Any] | None) -> dict[str, Any]:
    if not quality:
        return {"available": False, "sources": []}
    sources = []
    for source in sorted(quality, key=lambda s: (list(SOURCE_CN).index(s) if s in SOURCE_CN else 99, s)):
        q = quality[source]
        rows, quarantined = q.get("rows", 0), q.get("quarantined", 0)
        sources.append(
            {
                "source": source,
                "name": SOURCE_CN.get(source, source),
                "landings": q.get("landings", 0),
                "partitions": q.get("partition_first", "—")
                + (
                    f" 至 {q['partition_last']}"
                    if q.get("partition_last") not in (None, q.get("partition_first"))
                    else ""
                ),
                "landed": q.get("landed_last") or "—",
                "rows_text": fmt_int(rows),
                "accepted_text": fmt_int(q.get("accepted", 0)),
                "quarantined_text": fmt_int(quarantined),
                "share_text": fmt_pct(quarantined / rows if rows else None),
                # raw figures for report.xlsx
                "rows_n": rows,
                "accepted_n": q.get("accepted", 0),
                "quarantined_n": quarantined,
                "share": quarantined / rows if rows else None,
                # The rules' stable names are English (result.json, quarantine files); readers get Chinese.
                "reasons": [{**r, "label": rule_label(str(r["name"]))} for r in q.get("reasons", [])],
            }
        )
    return {"available": bool(sources), "sources": sources}
