"""Compile a JMESPath filter's AST into plain Python closures.

`jmespath`'s tree interpreter costs ~16 us an event (measured here), more than
decoding the event.  This compiler turns the same AST into nested closures that do
exactly what `jmespath.visitor.TreeInterpreter` does, node for node: the same
comparisons (`_equals`' 0/1-versus-bool rule, ordering only between numbers and
strings), the same truthiness (0 is true, '' and [] are false), the same
projections, and the same function table, called through `call_function` so
argument checks raise the same errors.  Whatever a node does not cover falls back
to nothing: every node type the parser emits is handled.

Two ways to reach the record's own fields:

* dict mode (`compile_dict_predicate`): the record is the decoded dict.
* typed mode (`compile_typed_predicate`): the record is an object whose top-level
  fields a caller reads for us (a msgspec Struct that decoded only what the filter
  names); the caller supplies a getter per field path.  An expression that needs
  the whole record as a value (`@`, `keys(@)`, `*.x`) cannot be compiled this way.

Both return a predicate that says True exactly when `EventFilter.matches` does; a
differential test over real records holds them to that.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from numbers import Number
from typing import Any

from jmespath.exceptions import JMESPathError
from jmespath.functions import Functions
from jmespath.visitor import Options, TreeInterpreter, _equals, _Expression

Getter = Callable[[Any], Any]
Test = Callable[[Any], bool]
Path = tuple[str, ...]
# (path, exact): a getter for a field path of the record.  `exact=False` when the
# value only meets a string, null or boolean literal, so how a number is
# represented (int or float) cannot change the outcome.
#
# A getter may carry `steps`, which `_Skeleton` turns into inline code instead of
# a call: ("attr", name, missing) reads attribute `name` (an identifier its maker
# generated), mapping the `missing` sentinel (or nothing, if None) to null;
# ("struct", name, cls) reads `name` when the value is a `cls`, else null;
# ("key", key) is JMESPath's field on a dict; ("call", fn) applies fn.
RootAccess = Callable[[Path, bool], Getter]

# What `EventFilter.matches` treats as "no match" rather than a failed scan.
EVALUATION_ERRORS = (JMESPathError, TypeError, ValueError)

_GENERATED_NAME = re.compile(r"f[0-9]+")
_ORDERING = {"lt": operator.lt, "gt": operator.gt, "lte": operator.le, "gte": operator.ge}


class NeedsWholeRecord(Exception):
    """The expression uses the record itself as a value; typed mode cannot serve it."""


def is_false(value: Any) -> bool:
    """JMESPath falsiness, as `TreeInterpreter._is_false` has it."""
    return value == "" or value == [] or value == {} or value is None or value is False


def _is_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, Number)


def _comparable(value: Any) -> bool:
    return _is_number(value) or isinstance(value, str)


def _field(name: str) -> Getter:
    def get(value: Any) -> Any:
        return value.get(name) if isinstance(value, dict) else None
    return get


def _field_chain(names: Path) -> Getter:
    """`a.b.c` over dicts as one function (a field of a non-object is null).
    Its `steps` let `_Skeleton` inline it."""
    getter = _plain_chain(names)
    getter.steps = [("key", name) for name in names]  # type: ignore[attr-defined]
    return getter


def _plain_chain(names: Path) -> Getter:
    if len(names) == 1:
        return _field(names[0])
    if len(names) == 2:
        first, second = names

        def get2(value: Any) -> Any:
            if not isinstance(value, dict):
                return None
            value = value.get(first)
            return value.get(second) if isinstance(value, dict) else None
        return get2

    def get(value: Any) -> Any:
        for name in names:
            if not isinstance(value, dict):
                return None
            value = value.get(name)
        return value
    return get


def _sequence(first: Getter, rest: list[Getter]) -> Getter:
    """Apply `first`, then each of `rest` to the previous result (no short cut on
    None: a function applied to null must still raise as jmespath's would)."""
    if not rest:
        return first

    def run(value: Any) -> Any:
        value = first(value)
        for step in rest:
            value = step(value)
        return value
    return run


def _is_plain_literal(node: dict[str, Any]) -> bool:
    """A string, null or boolean literal: equality with it never depends on numbers."""
    return node["type"] == "literal" and (node["value"] is None or isinstance(node["value"], (str, bool)))


def _constant(value: Any) -> Getter:
    return lambda _record: value


def _collect(items: Iterable[Any], each: Getter) -> list[Any]:
    """JMESPath projection: `each` over `items`, dropping null results."""
    collected = []
    for item in items:
        current = each(item)
        if current is not None:
            collected.append(current)
    return collected


class _Compiler:
    """Walks the AST once; each `_v_<node type>` mirrors `TreeInterpreter.visit_<node type>`."""

    def __init__(self, functions: Functions, root_access: RootAccess | None) -> None:
        self.functions = functions
        self.root_access = root_access
        self._interpreter = TreeInterpreter(Options(custom_functions=functions))

    # -- values ---------------------------------------------------------------
    def value(self, node: dict[str, Any], root: bool) -> Getter:
        """A closure computing what `TreeInterpreter.visit(node, v)` returns.
        `root` says whether `v` is the record itself (typed mode reads it specially)."""
        kind = node["type"]
        method = getattr(self, f"_v_{kind}", None)
        if method is None:  # pragma: no cover - every parser node type is handled
            raise NotImplementedError(kind)
        getter: Getter = method(node, root)
        return getter

    def _typed_root(self, root: bool) -> bool:
        return root and self.root_access is not None

    def _v_field(self, node: dict[str, Any], root: bool, exact: bool = True) -> Getter:
        if self._typed_root(root):
            return self.root_access((node["value"],), exact)  # type: ignore[misc]
        return _field_chain((node["value"],))

    def _path_value(self, node: dict[str, Any], root: bool, exact: bool) -> Getter:
        """Like `value`, passing `exact` on when the node is a plain field path."""
        if node["type"] == "field":
            return self._v_field(node, root, exact)
        if node["type"] == "subexpression" and all(c["type"] == "field" for c in node["children"]):
            return self._v_subexpression(node, root, exact)
        return self.value(node, root)

    def _v_subexpression(self, node: dict[str, Any], root: bool, exact: bool = True) -> Getter:
        children = node["children"]
        names: list[str] = []
        for child in children:
            if child["type"] != "field":
                break
            names.append(child["value"])
        if names:
            first = (self.root_access(tuple(names), exact or len(names) < len(children))  # type: ignore[misc]
                     if self._typed_root(root) else _field_chain(tuple(names)))
            rest = children[len(names):]
        else:
            first = self.value(children[0], root)
            rest = children[1:]
        return _sequence(first, [self.value(child, False) for child in rest])

    _v_index_expression = _v_subexpression
    _v_pipe = _v_subexpression

    def _v_current(self, node: dict[str, Any], root: bool) -> Getter:
        if self._typed_root(root):
            raise NeedsWholeRecord("the filter uses the whole record (@)")
        return lambda value: value

    _v_identity = _v_current

    def _v_literal(self, node: dict[str, Any], root: bool) -> Getter:
        return _constant(node["value"])

    def _v_comparator(self, node: dict[str, Any], root: bool) -> Getter:
        op = node["value"]
        left_node, right_node = node["children"]
        if op in ("eq", "ne"):
            left = self._path_value(left_node, root, not _is_plain_literal(right_node))
            right = self._path_value(right_node, root, not _is_plain_literal(left_node))
            return self._equality(op == "ne", left, right, left_node, right_node)
        left, right = self.value(left_node, root), self.value(right_node, root)
        compare = _ORDERING[op]

        def ordered(value: Any) -> Any:
            a, b = left(value), right(value)
            if not (_comparable(a) and _comparable(b)):
                return None
            return compare(a, b)
        return ordered

    @staticmethod
    def _equality(negate: bool, left: Getter, right: Getter, left_node: dict[str, Any],
                  right_node: dict[str, Any]) -> Getter:
        """`==`/`!=`.  Against a string literal `_equals` is plain `==`; against
        null or a boolean it is identity (its 0/1-versus-bool rule sees to that)."""
        literal, other = None, None
        if right_node["type"] == "literal":
            literal, other = right_node["value"], left
        elif left_node["type"] == "literal":
            literal, other = left_node["value"], right
        if other is not None and isinstance(literal, str):
            if negate:
                return lambda value: other(value) != literal
            return lambda value: other(value) == literal
        if other is not None and (literal is None or isinstance(literal, bool)):
            if negate:
                return lambda value: other(value) is not literal
            return lambda value: other(value) is literal
        if negate:
            return lambda value: not _equals(left(value), right(value))
        return lambda value: _equals(left(value), right(value))

    def _v_and_expression(self, node: dict[str, Any], root: bool) -> Getter:
        left, right = (self.value(child, root) for child in node["children"])

        def both(value: Any) -> Any:
            matched = left(value)
            return matched if is_false(matched) else right(value)
        return both

    def _v_or_expression(self, node: dict[str, Any], root: bool) -> Getter:
        left, right = (self.value(child, root) for child in node["children"])

        def either(value: Any) -> Any:
            matched = left(value)
            return right(value) if is_false(matched) else matched
        return either

    def _v_not_expression(self, node: dict[str, Any], root: bool) -> Getter:
        inner = self.value(node["children"][0], root)

        def negated(value: Any) -> bool:
            result = inner(value)
            if _is_number(result) and result == 0:
                return False
            return not result
        return negated

    def _v_function_expression(self, node: dict[str, Any], root: bool) -> Getter:
        name = node["value"]
        args: list[Getter] = []
        for child in node["children"]:
            if child["type"] == "expref":
                args.append(_constant(_Expression(child["children"][0], self._interpreter)))
            else:
                args.append(self.value(child, root))
        direct = self._direct_function(name, len(args))
        if direct is not None and len(args) == 2:
            first, second = args
            return lambda value: direct(first(value), second(value))
        if direct is not None and len(args) == 1:
            only = args[0]
            return lambda value: direct(only(value))
        call = self.functions.call_function
        return lambda value: call(name, [arg(value) for arg in args])

    def _direct_function(self, name: str, arity: int) -> Callable[..., Any] | None:
        """The bound function when `call_function` would check nothing but arity
        (every argument typed 'any', fixed count): calling it directly is the same."""
        spec = self.functions.FUNCTION_TABLE.get(name)
        if spec is None:
            return None
        signature = spec["signature"]
        if len(signature) != arity or any(arg.get("types") or arg.get("variadic") for arg in signature):
            return None
        bound: Callable[..., Any] = spec["function"].__get__(self.functions)
        return bound

    def _v_expref(self, node: dict[str, Any], root: bool) -> Getter:
        return _constant(_Expression(node["children"][0], self._interpreter))

    def _v_projection(self, node: dict[str, Any], root: bool) -> Getter:
        base, each = self.value(node["children"][0], root), self.value(node["children"][1], False)

        def project(value: Any) -> Any:
            items = base(value)
            if not isinstance(items, list):
                return None
            return _collect(items, each)
        return project

    def _v_value_projection(self, node: dict[str, Any], root: bool) -> Getter:
        base, each = self.value(node["children"][0], root), self.value(node["children"][1], False)

        def project(value: Any) -> Any:
            items = base(value)
            try:
                items = items.values()
            except AttributeError:
                return None
            return _collect(items, each)
        return project

    def _v_filter_projection(self, node: dict[str, Any], root: bool) -> Getter:
        base_node, each_node, condition_node = node["children"]
        base, each = self.value(base_node, root), self.value(each_node, False)
        condition = self.test(condition_node, False)

        def select(value: Any) -> Any:
            items = base(value)
            if not isinstance(items, list):
                return None
            return _collect(filter(condition, items), each)
        return select

    def _v_flatten(self, node: dict[str, Any], root: bool) -> Getter:
        base = self.value(node["children"][0], root)

        def flatten(value: Any) -> Any:
            items = base(value)
            if not isinstance(items, list):
                return None
            merged: list[Any] = []
            for item in items:
                if isinstance(item, list):
                    merged.extend(item)
                else:
                    merged.append(item)
            return merged
        return flatten

    def _v_index(self, node: dict[str, Any], root: bool) -> Getter:
        position = node["value"]

        def index(value: Any) -> Any:
            if not isinstance(value, list):
                return None
            try:
                return value[position]
            except IndexError:
                return None
        return index

    def _v_slice(self, node: dict[str, Any], root: bool) -> Getter:
        bounds = slice(*node["children"])

        def cut(value: Any) -> Any:
            if not isinstance(value, list):
                return None
            return value[bounds]
        return cut

    def _v_key_val_pair(self, node: dict[str, Any], root: bool) -> Getter:
        return self.value(node["children"][0], root)

    def _v_multi_select_dict(self, node: dict[str, Any], root: bool) -> Getter:
        pairs = [(child["value"], self.value(child, root)) for child in node["children"]]

        def select(value: Any) -> Any:
            if value is None:
                return None
            return {key: get(value) for key, get in pairs}
        return select

    def _v_multi_select_list(self, node: dict[str, Any], root: bool) -> Getter:
        items = [self.value(child, root) for child in node["children"]]

        def select(value: Any) -> Any:
            if value is None:
                return None
            return [get(value) for get in items]
        return select

    # -- truth ----------------------------------------------------------------
    def test(self, node: dict[str, Any], root: bool) -> Test:
        """A closure returning JMESPath truthiness of the node's value, short-cut
        where the value itself is not needed (same evaluation order)."""
        kind = node["type"]
        if kind == "and_expression":
            left, right = (self.test(child, root) for child in node["children"])
            return lambda value: left(value) and right(value)
        if kind == "or_expression":
            left, right = (self.test(child, root) for child in node["children"])
            return lambda value: left(value) or right(value)
        if kind == "not_expression" or (kind == "comparator" and node["value"] in ("eq", "ne")):
            return self.value(node, root)  # already a bool
        if kind == "comparator":
            ordered = self.value(node, root)
            return lambda value: ordered(value) is True
        get = self.value(node, root)
        return lambda value: not is_false(get(value))


_BOOLEAN_FUNCTIONS = frozenset(
    {"contains", "starts_with", "ends_with", "cidr_match", "icontains", "iequals", "istarts_with", "regex_match"})


def _truthy(value: Any) -> bool:
    return not is_false(value)


def _ordering(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], Any]:
    def ordered(a: Any, b: Any) -> Any:
        if not (_comparable(a) and _comparable(b)):
            return None
        return compare(a, b)
    return ordered


def _chain(node: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    """The operands of a chain of one operator, left to right, without recursion."""
    operands: list[dict[str, Any]] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current["type"] == kind:
            left, right = current["children"]
            stack.extend((right, left))
        else:
            operands.append(current)
    return operands


class _Skeleton:
    """Emits the filter's boolean structure at the record level (`&&`, `||`,
    `!`, comparisons, functions) as ONE Python expression, so a typical filter
    costs one call per field it reads instead of one per AST node.

    The text is built only from our own names (`L3`, `G1`, ...): literals,
    getters and closures live in the namespace, never in the source, so no
    part of a user's filter can become code."""

    def __init__(self, compiler: _Compiler) -> None:
        self.compiler = compiler
        self.namespace: dict[str, Any] = {
            "_truthy": _truthy, "_equals": _equals, "_errors": EVALUATION_ERRORS,
            "_call": compiler.functions.call_function,
        }
        self._count = 0

    def _bind(self, prefix: str, obj: Any) -> str:
        self._count += 1
        name = f"{prefix}{self._count}"
        self.namespace[name] = obj
        return name

    def test(self, node: dict[str, Any]) -> str:
        """Expression text for the node's JMESPath truthiness (a bool)."""
        kind = node["type"]
        if kind in ("and_expression", "or_expression"):
            # A chain of the same operator as one flat Python `and`/`or`: the same
            # short-circuit order, and no nesting for the compiler to descend.
            joiner = " and " if kind == "and_expression" else " or "
            return "(" + joiner.join(self.test(operand) for operand in _chain(node, kind)) + ")"
        if kind == "not_expression":
            # `!x` is False for a numeric 0 and `not x` otherwise: exactly `not truthy(x)`.
            return f"(not {self.test(node['children'][0])})"
        if kind == "comparator":
            text = self.value(node)
            return text if node["value"] in ("eq", "ne") else f"({text} is True)"
        if kind == "function_expression" and node["value"] in _BOOLEAN_FUNCTIONS:
            return self.value(node)
        return f"_truthy({self.value(node)})"

    def value(self, node: dict[str, Any], exact: bool = True) -> str:
        """Expression text computing the node's value from the record `r`."""
        kind = node["type"]
        compiler = self.compiler
        if kind == "literal":
            return self._bind("L", node["value"])
        if kind == "field" or (kind == "subexpression" and all(c["type"] == "field" for c in node["children"])):
            getter = compiler._path_value(node, True, exact)
            return self._inline(getter) or f"{self._bind('G', getter)}(r)"
        if kind == "comparator":
            return self._comparison(node)
        if kind == "not_expression":
            return f"(not {self.test(node['children'][0])})"
        if kind == "function_expression" and all(c["type"] != "expref" for c in node["children"]):
            args = ", ".join(self.value(child) for child in node["children"])
            direct = compiler._direct_function(node["value"], len(node["children"]))
            if direct is not None:
                return f"{self._bind('F', direct)}({args})"
            return f"_call({self._bind('N', node['value'])}, [{args}])"
        return f"{self._bind('C', compiler.value(node, True))}(r)"

    def _inline(self, getter: Getter) -> str | None:
        """A getter's `steps` as one expression over `r` (the walrus temporary
        `_v` is consumed before anything else can reassign it)."""
        steps = getattr(getter, "steps", None)
        if steps is None:
            return None
        text = "r"
        for step in steps:
            kind = step[0]
            if kind == "attr":
                name, missing = step[1], step[2]
                if not _GENERATED_NAME.fullmatch(name):
                    return None
                text = f"{text}.{name}"
                if missing is not None:
                    text = f"(None if (_v := {text}) is {self._bind('S', missing)} else _v)"
            elif kind == "struct":
                if not _GENERATED_NAME.fullmatch(step[1]):
                    return None
                text = f"(_v.{step[1]} if type(_v := {text}) is {self._bind('T', step[2])} else None)"
            elif kind == "key":
                text = f"(_v.get({self._bind('K', step[1])}) if isinstance(_v := {text}, dict) else None)"
            elif kind == "call":
                text = f"{self._bind('X', step[1])}({text})"
            else:
                return None
        return text

    def _comparison(self, node: dict[str, Any]) -> str:
        op = node["value"]
        left_node, right_node = node["children"]
        if op not in ("eq", "ne"):
            compare = self._bind("O", _ordering(_ORDERING[op]))
            return f"{compare}({self.value(left_node)}, {self.value(right_node)})"
        left = self.value(left_node, not _is_plain_literal(right_node))
        right = self.value(right_node, not _is_plain_literal(left_node))
        literal = right_node if right_node["type"] == "literal" else (
            left_node if left_node["type"] == "literal" else None)
        if literal is not None and isinstance(literal["value"], str):
            return f"({left} {'!=' if op == 'ne' else '=='} {right})"
        if literal is not None and (literal["value"] is None or isinstance(literal["value"], bool)):
            return f"({left} {'is not' if op == 'ne' else 'is'} {right})"
        return f"({'not ' if op == 'ne' else ''}_equals({left}, {right}))"

    def predicate(self, ast: dict[str, Any]) -> Test:
        body = self.test(ast)
        source = f"def predicate(r):\n    try:\n        return {body}\n    except _errors:\n        return False\n"
        exec(compile(source, "<trailtui filter>", "exec"), self.namespace)  # noqa: S102 - our names only
        predicate: Test = self.namespace["predicate"]
        return predicate


def typed_expression(ast: dict[str, Any], functions: Functions, root_access: RootAccess) -> tuple[str, dict[str, Any]]:
    """The filter's truth over a typed record `r` as expression text plus the
    namespace it needs, for a caller that inlines it into a loop over records.
    Evaluation errors propagate (the caller treats them as no match: catch
    `EVALUATION_ERRORS`).  Raises NeedsWholeRecord like `compile_typed_predicate`."""
    skeleton = _Skeleton(_Compiler(functions, root_access))
    return skeleton.test(ast), skeleton.namespace


def compile_dict_predicate(ast: dict[str, Any], functions: Functions) -> Test:
    """Predicate over a decoded record dict; True exactly when `EventFilter.matches` is.
    Evaluation errors mean no match, as there."""
    return _Skeleton(_Compiler(functions, None)).predicate(ast)


def compile_dict_value(ast: dict[str, Any], functions: Functions) -> Getter:
    """What `jmespath.search` returns for a decoded record dict, as one closure
    (for group-by keys).  Evaluation errors propagate as they would there."""
    return _Compiler(functions, None).value(ast, True)


def compile_typed_predicate(ast: dict[str, Any], functions: Functions, root_access: RootAccess) -> Test:
    """Predicate over a typed record whose field paths `root_access` reads.
    Raises NeedsWholeRecord when the expression needs the record as a value."""
    return _Skeleton(_Compiler(functions, root_access)).predicate(ast)


def root_paths(ast: dict[str, Any], functions: Functions) -> list[Path]:
    """Every field path read from the record itself, in first-use order.  Raises
    NeedsWholeRecord when the record is used as a value."""
    seen: dict[Path, None] = {}

    def record(path: Path, exact: bool) -> Getter:
        seen.setdefault(path, None)
        return _constant(None)

    _Skeleton(_Compiler(functions, record)).predicate(ast)
    return list(seen)
