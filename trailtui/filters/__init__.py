"""User filters: JMESPath over the raw event, compiled once."""

from trailtui.filters.expression import EventFilter, FilterError, is_truthy

__all__ = ["EventFilter", "FilterError", "is_truthy"]
