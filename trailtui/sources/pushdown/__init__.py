"""Filter pushdown: the part of a JMESPath filter a server can evaluate.

`to_sql` for Athena, CloudTrail Lake and the local store (DuckDB), `choose_lookup_attribute` for
LookupEvents.  Pushdown only narrows what the server returns; the full filter
is always re-applied client-side.
"""

from trailtui.sources.pushdown.dialects import ATHENA, LAKE, STORE, Dialect
from trailtui.sources.pushdown.literals import Untranslatable, sql_string
from trailtui.sources.pushdown.lookup import LookupAttribute, choose_lookup_attribute
from trailtui.sources.pushdown.sql import Translation, newest_first_statement, to_sql

__all__ = ["ATHENA", "LAKE", "STORE", "Dialect", "LookupAttribute", "Translation", "Untranslatable",
           "choose_lookup_attribute", "newest_first_statement", "sql_string", "to_sql"]
