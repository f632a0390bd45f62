"""Stand-ins for dbt's cross-database macros (`dbt.<name>`), rendering DuckDB SQL for the linter."""


def concat(fields):
    return " || ".join(fields)


def date_trunc(datepart, date):
    return f"date_trunc('{datepart}', {date})"


def safe_cast(field, type):  # noqa: A002 - dbt's argument name
    return f"try_cast({field} as {type})"


def type_string():
    return "varchar"


def type_int():
    return "integer"


def type_bigint():
    return "bigint"


def type_boolean():
    return "boolean"


def type_float():
    return "float"


def type_numeric():
    return "numeric(28, 6)"


def type_timestamp():
    return "timestamp"


def dateadd(datepart, interval, from_date_or_timestamp):
    return f"date_add({from_date_or_timestamp}, interval ({interval}) {datepart})"


def generate_series(upper_bound):
    return f"select generate_series as generated_number from generate_series(1, {upper_bound})"
