"""Stand-ins for dbt's Jinja context when SQLFluff lints the project with its plain Jinja templater.

`.sqlfluff` points `library_path` here, so models can call `dbt.date_trunc(...)`, `dbt.concat(...)`
and our macros can call `adapter.dispatch(...)`. Each stand-in renders the DuckDB SQL dbt-duckdb
would render, which is all the linter needs to parse the statement. Nothing here runs under dbt.
"""
