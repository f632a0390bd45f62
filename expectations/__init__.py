"""Great Expectations suites and the landing validator (contract section 3).

`validate_landing(landing_path, *, quarantine_dir, data_docs_dir=None) -> ValidationSummary` runs
the source's suite over a raw landing, quarantines bad rows and raises `ValidationFailed` on a
critical failure; with `data_docs_dir` it also rebuilds the GX Data Docs site there (data_docs.py).
Importing this package is cheap: Great Expectations and pandas load on the first validation.
"""

from expectations.runner import ValidationFailed, ValidationSummary, validate_landing

__all__ = ["ValidationFailed", "ValidationSummary", "validate_landing"]
