"""One module per section of the report. Each takes the typed tables it needs (talent.report.read.Table)
and returns plain dicts for the template: figures already computed by the marts, formatted here."""
