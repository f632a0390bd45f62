"""The one error the report raises for anything that stops a publish (bad month, missing data, locked
database); its message says what to do."""

from __future__ import annotations


class PublishError(RuntimeError):
    """Publishing cannot go ahead (bad month, missing data, locked database); the message says why."""
