"""Read the data-quality summary of the raw landings: per source, the landings the loader uses (newest
validated vintage per partition, from the one landing lister `extractors.landing`) and what their
validation kept and quarantined, by expectation. Only files already on disk, so it is deterministic."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from extractors.landing import Landing, list_landings, newest_validated


def _loaded_landings(raw_dir: Path) -> dict[str, list[Landing]]:
    """The landings `talent.load` loads, by source: every source the loader has a table for, so a
    board added in the sources config shows up here as it does in the warehouse."""
    from talent.load import table_of

    out: dict[str, list[Landing]] = {}
    for landing in newest_validated(list_landings(raw_dir)):
        if table_of(landing.source) is not None:
            out.setdefault(landing.source, []).append(landing)
    return out


def read_quality(raw_dir: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for source, landings in sorted(_loaded_landings(raw_dir).items()):
        rows = accepted = quarantined = 0
        reasons: dict[tuple[str, str, str], int] = {}
        vintages = []
        for landing in landings:
            result = json.loads((landing.path / "validation" / "result.json").read_text(encoding="utf-8"))
            rows += int(result.get("rows") or 0)
            accepted += int(result.get("accepted") or 0)
            quarantined += int(result.get("quarantined") or 0)
            for exp in result.get("expectations", []):
                count = exp.get("unexpected_count") or 0
                if count:
                    fields = ", ".join(exp.get("fields") or [])
                    key = (str(exp.get("name")), fields, str(exp.get("severity") or ""))
                    reasons[key] = reasons.get(key, 0) + int(count)
            vintages.append(
                {
                    "landing": landing.relative,
                    "sha256": landing.manifest.get("sha256"),
                    "rows": landing.manifest.get("rows"),
                    "landed_at": landing.landed_at.strftime("%Y-%m-%d %H:%M UTC"),
                }
            )
        out[source] = {
            "landings": len(landings),
            "partition_first": min(landing.partition for landing in landings),
            "partition_last": max(landing.partition for landing in landings),
            "landed_last": max(landing.landed_at for landing in landings).strftime("%Y-%m-%d"),
            "rows": rows,
            "accepted": accepted,
            "quarantined": quarantined,
            "reasons": [
                {"name": name, "fields": fields, "severity": severity, "rows": count}
                for (name, fields, severity), count in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
            ],
            "vintages": vintages,
        }
    return out
