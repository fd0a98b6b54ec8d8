"""Counts: group-by and top-N over any event source, in bounded memory.

`GroupSpec` says what to group by (JMESPath expressions or short names),
`GroupCounter` counts keys exactly while they fit and with a stated error bound
beyond, `count_source` picks the server's GROUP BY when a source can answer
exactly and streams the source's events otherwise.  No Textual, no Rich.
"""

from trailtui.counts.counter import DEFAULT_CAPACITY, GroupCounter
from trailtui.counts.fields import FIELDS, GroupField, resolve_field
from trailtui.counts.keys import GroupByError, GroupSpec, format_key_part, key_filter
from trailtui.counts.result import CountResult, Group
from trailtui.counts.run import count_source, count_stream

__all__ = ["DEFAULT_CAPACITY", "FIELDS", "CountResult", "Group", "GroupCounter", "GroupField", "GroupSpec",
           "GroupByError", "count_source", "count_stream", "format_key_part", "key_filter", "resolve_field"]
