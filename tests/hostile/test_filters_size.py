"""Filters a person could write are compiled however many terms they have;
absurd ones are refused in one line; regex_match runs in linear time."""

from __future__ import annotations

import time

import jmespath
import pytest
from hostile_records import good_records, jsonl_ids, record_with, run_cli, write_trail
from hypothesis import given, settings
from hypothesis import strategies as st

from trailtui.filters import EventFilter, FilterError
from trailtui.filters.expression import search
from trailtui.sources.typed import plan_for


def _ioc_filter(count: int, operator: str = "||") -> str:
    return f" {operator} ".join(f"sourceIPAddress=='203.0.{i // 256}.{i % 256}'" for i in range(count))


@pytest.mark.parametrize("count", [200, 499, 600, 2000])
def test_many_or_terms_compile_and_agree(count):
    flt = EventFilter.compile(_ioc_filter(count))
    predicate = flt.predicate()
    last = {"sourceIPAddress": f"203.0.{(count - 1) // 256}.{(count - 1) % 256}"}
    assert flt.matches(last) and predicate(last)
    assert not flt.matches({"sourceIPAddress": "198.51.100.7"}) and not predicate({"sourceIPAddress": "198.51.100.7"})
    assert plan_for(flt) is not None


def test_a_5000_address_ioc_list_is_searched(tmp_path, capsys):
    write_trail(tmp_path, good_records() + [record_with(sourceIPAddress="203.0.19.135")])
    code, out, err = run_cli(capsys, "query", str(tmp_path), "--format", "jsonl", "--filter", _ioc_filter(5000))
    assert code == 0 and jsonl_ids(out) == ["BAD"], err


@pytest.mark.parametrize("text", ["(" * 5000 + "a" + ")" * 5000, "!" * 3000 + "a", "a" * 500_000,
                                  "[" * 2000 + "a" + "]" * 2000, "a && " * 200_000 + "b"])
def test_absurd_filters_are_one_line_refusals(tmp_path, capsys, text):
    with pytest.raises(FilterError) as caught:
        EventFilter.compile(text)
    assert "\n" not in str(caught.value)
    write_trail(tmp_path, good_records())
    code, out, err = run_cli(capsys, "query", str(tmp_path), "--filter", text)
    assert code == 2 and out == "" and err.startswith("trailtui: error: bad filter")


def test_catastrophic_regex_is_linear():
    flt = EventFilter.compile("regex_match(userAgent, '(a+)+$')")
    planted = {"userAgent": "a" * 200_000 + "!"}
    started = time.perf_counter()
    assert not flt.matches(planted) and not flt.predicate()(planted)
    assert time.perf_counter() - started < 2.0


@pytest.mark.parametrize("pattern", [r"(\w)\1", "(?=a)b", "a{1001}"])
def test_patterns_re2_cannot_run_are_refused(pattern):
    with pytest.raises(FilterError, match="RE2"):
        EventFilter.compile(f"regex_match(userAgent, '{pattern}')")


_FIELDS = st.sampled_from(["eventName", "sourceIPAddress", "userIdentity.type", "errorCode", "x"])
_VALUES = st.sampled_from(["GetObject", "203.0.113.7", "Root", "", "AccessDenied"])


@st.composite
def _chains(draw):
    terms = draw(st.lists(st.tuples(_FIELDS, st.sampled_from(["==", "!="]), _VALUES), min_size=1, max_size=300))
    joiners = draw(st.lists(st.sampled_from([" || ", " && "]), min_size=len(terms), max_size=len(terms)))
    text = ""
    for (field, op, value), joiner in zip(terms, joiners, strict=True):
        text += (joiner if text else "") + f"{field} {op} '{value}'"
    return text


@settings(max_examples=40, deadline=None)
@given(_chains(), st.sampled_from(good_records() + [record_with(eventName=5, userIdentity="x")]))
def test_any_chain_compiles_and_agrees_with_jmespath(text, record):
    flt = EventFilter.compile(text)
    reference = jmespath.compile(text)  # left-nested, recursive: fine below ~300 terms
    expected = search(text, record) if reference else None
    truthy = expected not in (None, False, "", [], {})
    assert flt.matches(record) == truthy == flt.predicate()(record)


@settings(max_examples=150, deadline=500)
@given(st.text(max_size=200))
def test_any_text_compiles_or_is_a_filter_error(text):
    try:
        flt = EventFilter.compile(text)
    except FilterError as exc:
        assert "\n" not in str(exc)
        return
    flt.matches({"eventName": "GetObject"})
    flt.predicate()({"eventName": "GetObject"})
