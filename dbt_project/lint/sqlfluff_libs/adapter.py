"""Stand-in for `adapter.dispatch`: returns the DuckDB flavour of the project's dispatched macros."""

_DUCKDB = {
    "median": lambda expression: f"median({expression})",
    "year_month": lambda date_expression: f"strftime({date_expression}, '%Y-%m')",
    "type_double": lambda: "double",
}


def dispatch(macro_name, macro_namespace=None):
    try:
        return _DUCKDB[macro_name]
    except KeyError:
        raise KeyError(
            f"add a stand-in for the dispatched macro {macro_name!r} to dbt_project/lint/sqlfluff_libs/adapter.py"
        ) from None
