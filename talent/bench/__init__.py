"""`talent bench`: speed and memory of every stage on a generated sample of a chosen size.

Timings are measured here, never asserted in tests: they depend on the machine and on what else it
runs. Each stage runs in its own child process (``python -m talent.bench.stage``) so that its peak
resident memory is its own, not the high-water mark of everything before it; ratios measured in the
same run (dbt against bare DuckDB, say) are the numbers to compare across machines.

    stages.py   what each stage does (generate, ingest per board, validate, load, normalize, dbt, …)
    stage.py    the child-process entry point: run one stage, print its result and peak RSS as JSON
    bare.py     the bare-DuckDB script: dbt's compiled models replayed as plain SQL, no dbt
    runner.py   orchestration, the table and the --json object
"""

from talent.bench.runner import main

__all__ = ["main"]
