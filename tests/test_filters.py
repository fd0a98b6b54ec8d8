"""User filters: compile errors with columns, tolerant functions, analyst extras,
and agreement with stock jmespath wherever stock jmespath does not raise."""

from __future__ import annotations

import jmespath
import pytest
from trail_builder import traildiscover_records

from trailtui.filters import EventFilter, FilterError, is_truthy


@pytest.mark.parametrize(
    "text, column, words",
    [
        ("eventName == `x", 14, "unexpected"),
        ("eventName ==", 13, "incomplete"),
        ("eventName = 'x'", 11, "unexpected"),
        ("userIdentity.[", 15, "incomplete"),
        ("(eventName == 'a'", 18, "incomplete"),
    ],
)
def test_syntax_errors_say_what_and_where(text, column, words):
    with pytest.raises(FilterError) as info:
        EventFilter.compile(text)
    assert info.value.column == column
    assert words in str(info.value)
    assert info.value.pointer().splitlines()[1] == " " * (column - 1) + "^"


def test_unknown_function_and_arity_are_compile_errors():
    with pytest.raises(FilterError, match="unknown function nosuch"):
        EventFilter.compile("nosuch(eventName)")
    with pytest.raises(FilterError, match="Expected 2 arguments"):
        EventFilter.compile("contains(eventName)")


def test_empty_filter_matches_everything():
    flt = EventFilter.compile("  ")
    assert flt.is_empty and flt.matches({}) and flt.matches({"a": 1})


@pytest.mark.parametrize("func", ["contains", "starts_with", "ends_with"])
def test_stock_string_functions_treat_missing_fields_as_no_match(func):
    with pytest.raises(jmespath.exceptions.JMESPathTypeError):
        jmespath.search(f"{func}(errorMessage, 'x')", {})
    flt = EventFilter.compile(f"{func}(errorMessage, 'x')")
    assert flt.matches({}) is False
    assert flt.matches({"errorMessage": "x"}) is True


def test_contains_on_lists_still_works():
    flt = EventFilter.compile("contains(resources[].type, 'AWS::S3::Object')")
    assert flt.matches({"resources": [{"type": "AWS::S3::Object"}]})
    assert not flt.matches({"resources": [{"type": "AWS::S3::Bucket"}]})


@pytest.mark.parametrize(
    "ip, cidr, expected",
    [
        ("10.1.2.3", "10.0.0.0/8", True),
        ("11.1.2.3", "10.0.0.0/8", False),
        ("2001:db8::1", "2001:db8::/32", True),
        ("10.1.2.3", "2001:db8::/32", False),
        ("ec2.amazonaws.com", "10.0.0.0/8", False),
        ("10.1.2.3", "not-a-cidr", False),
    ],
)
def test_cidr_match(ip, cidr, expected):
    assert EventFilter.compile(f"cidr_match(sourceIPAddress, '{cidr}')").matches({"sourceIPAddress": ip}) is expected


def test_cidr_match_missing_field():
    assert not EventFilter.compile("cidr_match(sourceIPAddress, '0.0.0.0/0')").matches({})


def test_case_insensitive_helpers():
    raw = {"userAgent": "Boto3/1.34 Python/3.11", "eventName": "ConsoleLogin"}
    assert EventFilter.compile("icontains(userAgent, 'boto3')").matches(raw)
    assert EventFilter.compile("iequals(eventName, 'consolelogin')").matches(raw)
    assert EventFilter.compile("istarts_with(eventName, 'CONSOLE')").matches(raw)
    assert EventFilter.compile("lower(eventName) == 'consolelogin'").matches(raw)
    assert EventFilter.compile("regex_match(userAgent, '^Boto3/1\\.3[0-9]')").matches(raw)
    assert not EventFilter.compile("regex_match(userAgent, '(')").matches(raw)  # bad regex: no match, no crash


def test_truthiness_follows_jmespath():
    assert is_truthy(0) and is_truthy("x") and is_truthy([0])
    assert not any(is_truthy(v) for v in (None, False, "", [], {}))


def test_sql_looking_literal_is_just_a_string():
    flt = EventFilter.compile("eventName == 'x\\' OR 1=1 --'")
    assert not flt.matches({"eventName": "x"})
    assert flt.matches({"eventName": "x' OR 1=1 --"})


EXPRESSIONS = [
    "eventName == 'ConsoleLogin'",
    "userIdentity.type == 'Root'",
    "errorCode != null",
    "errorCode == `null`",
    "eventSource == 'iam.amazonaws.com' && readOnly == `false`",
    "!(eventSource == 'ec2.amazonaws.com') || awsRegion == 'us-east-1'",
    "userIdentity.sessionContext.sessionIssuer.userName",
    "length(resources || `[]`) > `0`",
    "requestParameters.bucketName",
    "sourceIPAddress == 'AWS Internal'",
]


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_agrees_with_stock_jmespath_on_real_records(expression):
    records = traildiscover_records()
    hits = 0
    for raw in records:
        expected = is_truthy(jmespath.search(expression, raw))
        assert EventFilter.compile(expression).matches(raw) is expected
        hits += expected
    assert 0 <= hits <= len(records)


def test_and_also_narrows():
    base = EventFilter.compile("eventSource == 'iam.amazonaws.com'")
    narrowed = base.and_also("eventName == 'CreateUser'")
    assert narrowed.matches({"eventSource": "iam.amazonaws.com", "eventName": "CreateUser"})
    assert not narrowed.matches({"eventSource": "iam.amazonaws.com", "eventName": "DeleteUser"})
