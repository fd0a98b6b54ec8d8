"""Filter pushdown: the part of a JMESPath filter a server can evaluate.

`to_sql` for Athena, CloudTrail Lake and the local store (DuckDB), `choose_lookup_attribute` for
LookupEvents.  Pushdown only narrows what the server returns; the full filter
is always re-applied client-side.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trailtui.sources.pushdown.dialects import ATHENA, LAKE, STORE, Dialect
    from trailtui.sources.pushdown.literals import Untranslatable, sql_string
    from trailtui.sources.pushdown.lookup import LookupAttribute, choose_lookup_attribute
    from trailtui.sources.pushdown.sql import Translation, newest_first_statement, to_sql

# Loaded on first use (PEP 562): the store's SQL needs no LookupEvents attribute chooser.
_MODULE_OF = {"ATHENA": "dialects", "LAKE": "dialects", "STORE": "dialects", "Dialect": "dialects",
              "Untranslatable": "literals", "sql_string": "literals", "LookupAttribute": "lookup",
              "choose_lookup_attribute": "lookup", "Translation": "sql", "newest_first_statement": "sql",
              "to_sql": "sql"}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"trailtui.sources.pushdown.{module}"), name)


__all__ = ["ATHENA", "LAKE", "STORE", "Dialect", "LookupAttribute", "Translation", "Untranslatable",
           "choose_lookup_attribute", "newest_first_statement", "sql_string", "to_sql"]
