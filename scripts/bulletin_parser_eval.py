"""Precision and recall of the bulletin parser on the hand-checked fixtures.

    .venv/bin/python scripts/bulletin_parser_eval.py [FIXTURE_DIR]

Reads `tests/fixtures/bulletins/expected.json` (hand-checked values per fixture file), parses every
fixture with `extractors.bulletins.parse_bulletin_file` (what `talent bulletin parse` prints) and
scores one item per indicator: an extracted indicator is a true positive only when its value, unit
and the growth_pct / share_of_gdp_pct stated with it all equal the expected ones (a wrong value is
both a false positive and a false negative). Region and year are scored separately. Prints one line
per file and the totals; exits 1 when precision or recall is below 1.0.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractors.bulletins import parse_bulletin_file  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "bulletins"
ATTRIBUTES = ("value", "unit", "growth_pct", "share_of_gdp_pct")


def _same(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=0, abs_tol=1e-9)
    return a == b


def matches(got: dict, want: dict) -> bool:
    return all(_same(got.get(attr), want.get(attr)) for attr in ATTRIBUTES)


def score(fixture_dir: Path = FIXTURES) -> dict:
    """{"files": {name: {...}}, "tp", "fp", "fn", "precision", "recall", "region_year_ok"}."""
    expected = json.loads((fixture_dir / "expected.json").read_text(encoding="utf-8"))
    files, tp, fp, fn, place_ok = {}, 0, 0, 0, 0
    for name, want in sorted(expected.items()):
        if name.startswith("_"):
            continue
        got = parse_bulletin_file(fixture_dir / name)
        f_tp = [
            k
            for k, w in want["indicators"].items()
            if k in got["indicators"] and matches(got["indicators"][k], w)
        ]
        f_fp = [k for k in got["indicators"] if k not in f_tp]
        f_fn = [k for k in want["indicators"] if k not in f_tp]
        place = (got["region"], got["year"]) == (want["region"], want["year"])
        files[name] = {"tp": len(f_tp), "fp": f_fp, "fn": f_fn, "region_year_ok": place}
        tp, fp, fn, place_ok = tp + len(f_tp), fp + len(f_fp), fn + len(f_fn), place_ok + place
    return {
        "files": files,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "region_year_ok": f"{place_ok}/{len(files)}",
    }


def main(argv: list[str]) -> int:
    result = score(Path(argv[1]) if len(argv) > 1 else FIXTURES)
    for name, f in result["files"].items():
        print(
            f"{name:40s} tp={f['tp']:3d} fp={len(f['fp'])} fn={len(f['fn'])} "
            f"region/year {'ok' if f['region_year_ok'] else 'WRONG'}"
            + (f"  fp: {', '.join(f['fp'])}" if f["fp"] else "")
            + (f"  fn: {', '.join(f['fn'])}" if f["fn"] else "")
        )
    print(
        f"TOTAL files={len(result['files'])} items={result['tp'] + result['fn']} tp={result['tp']} "
        f"fp={result['fp']} fn={result['fn']} precision={result['precision']:.4f} "
        f"recall={result['recall']:.4f} region/year={result['region_year_ok']}"
    )
    return 0 if result["precision"] == 1.0 and result["recall"] == 1.0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
