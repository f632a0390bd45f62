"""`talent dashboard`: the 数据驾驶舱 for decision makers, served on 127.0.0.1.

Built with Dash (Plotly): it ships React, its components and plotly.js inside the Python packages
and serves them itself, so the page works offline with nothing fetched from a CDN; charts are
interactive (hover values, legend toggles) without writing JavaScript; it is a long-maintained,
widely used library that installs from wheels. It reads only the published snapshot
(`talent.serving.read_snapshot`) and files under the warehouse, never the pipeline's DuckDB file.

    queries    SQL on the snapshot: demand, forecast, shortage list, majors vs demand
    freshness  snapshot build, per-source landings and quarantine, report / Data Docs folders
    charts     Plotly figures (Chinese labels, CJK font stack)
    layout     page, filters, cards and tables; the inline stylesheet
    app        the Dash app, its callback and the static routes; `serve(port)`
"""

from __future__ import annotations


def serve(port: int, host: str = "127.0.0.1") -> None:
    from talent.dashboard.app import serve as _serve

    _serve(port, host)
