"""Compile a user's JMESPath filter once and evaluate it against raw events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jmespath
from jmespath import exceptions as jexc
from jmespath.parser import ParsedResult

from trailtui.filters.balance import balanced, nesting_depth
from trailtui.filters.fastpath import EVALUATION_ERRORS, compile_dict_predicate
from trailtui.filters.functions import TrailFunctions, regex_problem

_FUNCTIONS = TrailFunctions()
_OPTIONS = jmespath.Options(custom_functions=_FUNCTIONS)


class FilterError(ValueError):
    """A filter that cannot be compiled.  `column` is 1-based, or None when the
    problem is not tied to one place (an unknown function, say)."""

    def __init__(self, message: str, expression: str, column: int | None = None) -> None:
        self.expression = expression
        self.column = column
        self.reason = message
        where = f" at column {column}" if column is not None else ""
        super().__init__(f"bad filter{where}: {message}")

    def pointer(self) -> str:
        """The expression with a caret under the offending column, for CLIs."""
        if self.column is None:
            return self.expression
        return f"{self.expression}\n{' ' * (self.column - 1)}^"


def is_truthy(value: Any) -> bool:
    """JMESPath truthiness: false, null, '', [] and {} are false; 0 is true."""
    if value is None or value is False:
        return False
    if isinstance(value, (str, list, dict)) and not value:
        return False
    return True


def _function_names(node: dict[str, Any]) -> list[str]:
    found: list[str] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current.get("type") == "function_expression":
            found.append(str(current.get("value")))
        stack.extend(child for child in current.get("children", []) if isinstance(child, dict))
    return found


def _literal_regexes(node: dict[str, Any]) -> list[str]:
    """The string literals given as `regex_match` patterns."""
    found: list[str] = []
    stack = [node]
    while stack:
        current = stack.pop()
        children = [child for child in current.get("children", []) if isinstance(child, dict)]
        if current.get("type") == "function_expression" and current.get("value") == "regex_match" \
                and len(children) == 2 and children[1].get("type") == "literal" \
                and isinstance(children[1].get("value"), str):
            found.append(children[1]["value"])
        stack.extend(children)
    return found


def _known_functions() -> set[str]:
    return {name[len("_func_"):] for name in dir(TrailFunctions) if name.startswith("_func_")}


def _syntax_error(exc: Exception, text: str) -> FilterError:
    if isinstance(exc, jexc.LexerError):
        column = (exc.lexer_position or 0) + 1
        return FilterError(f"unexpected {exc.lexer_value!r}: {exc.msg}", text, column)
    if isinstance(exc, jexc.IncompleteExpressionError):
        return FilterError("the expression is incomplete", text, len(text) + 1)
    if isinstance(exc, jexc.ParseError):
        column = (exc.lex_position or 0) + 1
        token = exc.token_value if exc.token_value is not None else "end of input"
        return FilterError(f"unexpected {token!r} ({exc.msg.lower()})", text, column)
    return FilterError(str(exc), text)


# Bounds on what a filter may be: far above any filter a person writes or pastes
# (5,000 IOC addresses joined by `||` are ~200,000 characters), far below what
# would take the parser seconds or exhaust its recursion.
MAX_FILTER_CHARS = 400_000
MAX_FILTER_NESTING = 64


def _clipped(text: str) -> str:
    return text if len(text) <= 200 else text[:200] + "…"


def _check_size(source: str) -> None:
    """Refuse an absurd filter in one line, before the parser sees it."""
    if len(source) > MAX_FILTER_CHARS:
        raise FilterError(f"the filter is {len(source):,} characters long; at most {MAX_FILTER_CHARS:,} are read",
                          _clipped(source))
    depth = nesting_depth(source)
    if depth > MAX_FILTER_NESTING:
        raise FilterError(f"the filter nests {depth} levels deep (parentheses, brackets, '!'); "
                          f"at most {MAX_FILTER_NESTING}", _clipped(source))


@dataclass(slots=True)
class EventFilter:
    """A compiled filter.  `matches(raw)` is the single source of truth for
    whether an event passes; every source and every fast path must agree with it."""

    text: str
    _parsed: ParsedResult | None = field(default=None, repr=False)
    _predicate: Callable[[dict[str, Any]], bool] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def compile(cls, text: str | None) -> EventFilter:
        source = (text or "").strip()
        if not source:
            return cls(text="", _parsed=None)
        _check_size(source)
        try:
            parsed = jmespath.compile(source)
        except jexc.JMESPathError as exc:
            raise _syntax_error(exc, source) from None
        except RecursionError:
            raise FilterError(f"nested more than {MAX_FILTER_NESTING} levels deep", _clipped(source)) from None
        parsed.parsed = balanced(parsed.parsed)  # thousands of `||` terms: a shallow tree, same meaning
        unknown = [name for name in _function_names(parsed.parsed) if name not in _known_functions()]
        if unknown:
            raise FilterError(f"unknown function {unknown[0]}()", source)
        for pattern in _literal_regexes(parsed.parsed):
            problem = regex_problem(pattern)
            if problem is not None:
                raise FilterError(f"regex_match pattern {pattern!r} is not RE2 syntax ({problem}); RE2 has no "
                                  "backreferences or lookaround", _clipped(source))
        compiled = cls(text=source, _parsed=parsed)
        compiled._probe()
        return compiled

    def _probe(self) -> None:
        """Evaluate once on an empty event so arity errors surface at compile time."""
        try:
            self.evaluate({})
        except jexc.ArityError as exc:
            raise FilterError(str(exc), self.text) from None
        except (jexc.JMESPathError, TypeError, ValueError):
            pass
        except RecursionError:
            raise FilterError(f"nested more than {MAX_FILTER_NESTING} levels deep", _clipped(self.text)) from None

    @property
    def is_empty(self) -> bool:
        return self._parsed is None

    @property
    def ast(self) -> dict[str, Any] | None:
        return None if self._parsed is None else self._parsed.parsed

    def evaluate(self, raw: dict[str, Any]) -> Any:
        if self._parsed is None:
            return True
        return self._parsed.search(raw, options=_OPTIONS)

    def matches(self, raw: dict[str, Any]) -> bool:
        """True when the expression is truthy for this event.  A type error on one
        event (a field holding an unexpected shape) is no match, not a failed scan."""
        if self._parsed is None:
            return True
        try:
            return is_truthy(self._parsed.search(raw, options=_OPTIONS))
        except EVALUATION_ERRORS:  # JMESPath errors, and e.g. `'a' < `1`` (a TypeError inside jmespath)
            return False

    def predicate(self) -> Callable[[dict[str, Any]], bool]:
        """`matches` compiled to Python closures (`trailtui.filters.fastpath`):
        the same answer for every record, without the tree interpreter's cost."""
        if self._predicate is None:
            if self._parsed is None:
                self._predicate = _always
            else:
                self._predicate = compile_dict_predicate(self._parsed.parsed, _FUNCTIONS)
        return self._predicate

    def and_also(self, other: str) -> EventFilter:
        """This filter narrowed by another expression (used by pivots)."""
        if self.is_empty:
            return EventFilter.compile(other)
        return EventFilter.compile(f"({self.text}) && ({other})")


def _always(raw: dict[str, Any]) -> bool:
    return True


def function_table() -> TrailFunctions:
    """The function table every filter evaluates with (for compilers)."""
    return _FUNCTIONS


def search(expression: str, raw: dict[str, Any]) -> Any:
    """`jmespath.search` with trailtui's function table: the reference semantics."""
    return jmespath.search(expression, raw, options=_OPTIONS)
