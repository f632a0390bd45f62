"""Run one benchmark stage in this process and print its result as the last line of stdout.

    python -m talent.bench.stage STAGE WORK_DIR PARAMS_JSON

The peak RSS reported is this process's or its largest child's (dbt runs as a subprocess), whichever
is higher: the memory a machine must have for the stage, not a sum."""

from __future__ import annotations

import json
import logging
import resource
import sys
from pathlib import Path

RESULT_MARKER = "BENCH-RESULT "


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, children) / 1024, 1)  # Linux reports kilobytes


def main(argv: list[str]) -> int:
    from talent.bench.stages import STAGES

    name, work, params = argv[0], Path(argv[1]), json.loads(argv[2])
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    result = STAGES[name](work, params)
    result["peak_rss_mb"] = peak_rss_mb()
    print(RESULT_MARKER + json.dumps(result, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
