"""Bazhong talent warehouse: settings, CLI, loader, dbt runner, publishing and orchestration."""

__version__ = "0.1.0"
