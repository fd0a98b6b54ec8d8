"""The compiled filter and the typed pre-check give exactly `EventFilter.matches`'
answer (which is `jmespath.search` with trailtui's functions), on real records
written by others and on records made to hit JMESPath's corner cases."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path
from typing import Any

import msgspec
import orjson
import pytest

from trailtui.events import is_cloudtrail_record, parse_event_time
from trailtui.filters import EventFilter
from trailtui.sources.typed import Undecidable, decode_typed, plan_for

DATA = Path(__file__).parent / "data"


def _real_records() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    panther = gzip.decompress((DATA / "scan/panther-analysis/aws_cloudtrail_rule_tests.jsonl.gz").read_bytes())
    records += [json.loads(line)["log"] for line in panther.splitlines()]
    for path in sorted((DATA / "scan/stratus-red-team").glob("*.json.gz")):
        records += json.loads(gzip.decompress(path.read_bytes()))
    for path in sorted((DATA / "traildiscover/events").glob("*/*.cloudtrail")):
        doc = json.loads(path.read_text())
        records += doc if isinstance(doc, list) else [doc]
    return [r for r in records if isinstance(r, dict)]


def _odd_records() -> list[dict[str, Any]]:
    """Shapes a filter compiler gets wrong first: JMESPath truthiness (0 true, ''
    false), 0/1 against booleans, numbers against strings, wrong container types."""
    odd: list[dict[str, Any]] = []
    for value in (0, 1, 0.0, 1.0, -0.0, 2, -1, 1.5, True, False, None, "", "0", "1", "true", "ConsoleLogin",
                  "consolelogin", [], {}, [0], [True], ["ConsoleLogin"], {"type": "Root"}, 18446744073709551615,
                  -9223372036854775808, 1e300):
        odd.append({"eventTime": "2024-03-01T00:00:00Z", "eventName": value, "errorCode": value, "readOnly": value,
                    "userIdentity": value, "resources": value, "sourceIPAddress": value, "x": value})
        odd.append({"eventTime": "2024-03-01T00:00:00Z", "eventSource": "s", "userIdentity": {"type": value},
                    "resources": [{"type": value, "ARN": value}, value], "requestParameters": {"n": value}})
    odd.append({"eventTime": "2024-03-01T00:00:00Z", "eventName": "x"})  # nearly everything missing
    odd.append({"eventTime": "2024-03-01T00:00:00Z", "eventName": "GetObject", "sourceIPAddress": "10.1.2.3",
                "userAgent": "AWS-CLI", "tlsDetails": {"tlsVersion": "TLSv1.3"}, "readOnly": True})
    return odd


RECORDS = _real_records() + _odd_records()

EXPRESSIONS = [
    "userIdentity.type=='Root' || (eventName=='ConsoleLogin' && errorCode!=`null`)",
    "eventName == 'ConsoleLogin'", "eventName != 'ConsoleLogin'", "'ConsoleLogin' == eventName",
    "errorCode != null", "errorCode == `null`", "errorCode", "!errorCode", "!!errorCode",
    "readOnly", "!readOnly", "readOnly == `false`", "readOnly == `true`", "readOnly == `0`", "readOnly == `1`",
    "readOnly != `false`", "x == `0`", "x == `1.0`", "x == `1`", "x != `0`", "!x", "x", "x == ''", "x == `[]`",
    "x == `{}`", "x == `[0]`", "x == `{\"type\": \"Root\"}`", "userIdentity == `{\"type\": \"Root\"}`",
    "x > `0`", "x >= `0`", "x < `1`", "x <= `1.5`", "x > '0'", "eventVersion > '1.05'", "eventVersion < `5`",
    "eventTime > '2021-01-01'", "eventTime < eventVersion", "x == `18446744073709551615`",
    "x > `1e299`", "x == `-9223372036854775808`",
    "eventName == eventSource", "eventName == errorCode", "errorCode == `\"AccessDenied\"`",
    "contains(eventName, 'Login')", "contains(resources[].type, 'AWS::S3::Object')",
    "contains(`[\"ConsoleLogin\", \"GetObject\"]`, eventName)", "contains(x, `0`)", "contains(x, `true`)",
    "starts_with(eventSource, 'iam')", "ends_with(userIdentity.arn, 'root')", "starts_with(x, '')",
    "icontains(userAgent, 'CONSOLE')", "icontains(resources[].type, 'aws::iam::role')",
    "iequals(eventName, 'consolelogin')", "istarts_with(sourceIPAddress, '10.')",
    "cidr_match(sourceIPAddress, '10.0.0.0/8')", "cidr_match(sourceIPAddress, '203.0.113.0/24')",
    "cidr_match(sourceIPAddress, 'nonsense')", "lower(eventName) == 'consolelogin'",
    "upper(awsRegion) == 'US-EAST-1'", "regex_match(eventName, '^(Get|List)')", "regex_match(userAgent, '[')",
    "length(resources) > `1`", "length(eventName) > `10`", "length(requestParameters) == `0`",
    "length(x) == `0`", "abs(x) == `1`", "to_number(x) == `1`", "to_string(readOnly) == 'true'",
    "type(responseElements) == 'null'", "type(x) == 'number'", "not_null(errorCode, errorMessage)",
    "not_null(x) == `0`", "resources[?type=='AWS::IAM::Role'].ARN | [0]", "resources[0].ARN",
    "resources[0]", "resources[-1].type == 'AWS::S3::Object'", "resources[1:]", "resources[::-1][0].type",
    "resources[*].type", "resources[].accountId[]", "resources[?@ == `0`]", "resources[?!type]",
    "requestParameters.*", "keys(requestParameters)", "values(requestParameters)[0] == `0`",
    "requestParameters.n == `0`", "requestParameters.n", "length(requestParameters.*) > `3`",
    "userIdentity.sessionContext.sessionIssuer.userName == 'Admin'",
    "userIdentity.sessionContext.attributes.mfaAuthenticated == 'true'",
    "userIdentity.type == 'AssumedRole' && !contains(userIdentity.arn, 'AWSServiceRole')",
    "userIdentity.type && userIdentity", "userIdentity.type || userIdentity",
    "additionalEventData.MFAUsed == 'No'", "responseElements.ConsoleLogin == 'Failure'",
    "`true`", "`false`", "`0`", "`\"\"`", "`[]`", "!`0`", "!`[]`",
    "[eventName, errorCode]", "[eventName, errorCode][?@]", "{a: eventName}.a == 'ConsoleLogin'",
    "{a: x}", "sort_by(resources, &type)[0].type == 'AWS::IAM::Role'", "max_by(resources, &ARN).ARN",
    "map(&type, resources)", "(eventName || eventSource) == 'signin.amazonaws.com'",
    "(errorCode && eventName) == 'ConsoleLogin'", "!(errorCode && eventName)", "!(x || errorCode)",
    "tlsDetails.tlsVersion >= 'TLSv1.2'", "requestParameters.roleArn != null",
    "`{\"a\": 1}` == `{\"a\": 1.0}`", "p_any_aws_account_ids[?@ == '123456789012']",
    "eventName | starts_with(@, 'Get')", "userIdentity | type", "userIdentity.type | length(@)",
    "eventName.length(@)", "x.length(@)", "join(',', resources[].type) == ''", "sort(x)",
    "x == userIdentity", "readOnly == `true` || errorCode == 'AccessDenied'",
    "\"x\" == `0`", "resources[0][0]", "x[0]", "x.a.b.c", "userIdentity.type.x",
    "length(@) > `15`", "@.eventName == 'ConsoleLogin'", "keys(@)[0] == 'eventVersion'", "*.type | [0]",
]


def _random_expressions(count: int, seed: int) -> list[str]:
    """Random filters built from paths and values that occur in the records."""
    rng = random.Random(seed)
    paths = ["eventName", "eventSource", "errorCode", "readOnly", "x", "userIdentity.type", "userIdentity.arn",
             "userIdentity.sessionContext.attributes.mfaAuthenticated", "sourceIPAddress", "awsRegion",
             "requestParameters.bucketName", "requestParameters.n", "resources[0].type", "resources[].type",
             "responseElements.ConsoleLogin", "tlsDetails.tlsVersion", "managementEvent", "eventType"]
    literals = ["'ConsoleLogin'", "'Root'", "'AssumedRole'", "'AccessDenied'", "'us-east-1'", "''", "`null`",
                "`true`", "`false`", "`0`", "`1`", "`1.5`", "`[]`", "'Failure'", "'true'", "'TLSv1.2'"]
    ops = ["==", "!=", "<", "<=", ">", ">="]
    funcs = ["contains", "starts_with", "ends_with", "icontains", "iequals", "istarts_with"]

    def atom(depth: int) -> str:
        roll = rng.random()
        if roll < 0.45:
            return f"{rng.choice(paths)} {rng.choice(ops)} {rng.choice(literals + paths)}"
        if roll < 0.6:
            return f"{rng.choice(funcs)}({rng.choice(paths)}, {rng.choice(literals)})"
        if roll < 0.7:
            return rng.choice(paths)
        if depth > 2:
            return f"!{rng.choice(paths)}"
        left, right = atom(depth + 1), atom(depth + 1)
        return rng.choice([f"({left} && {right})", f"({left} || {right})", f"!({left})"])

    return [atom(0) for _ in range(count)]


ALL_EXPRESSIONS = EXPRESSIONS + _random_expressions(150, seed=7)
_EXPECTED: dict[str, list[bool]] = {}


def _expected(text: str) -> list[bool]:
    """`EventFilter.matches` (jmespath) on every record: the reference answer."""
    if text not in _EXPECTED:
        flt = EventFilter.compile(text)
        _EXPECTED[text] = [flt.matches(r) for r in RECORDS]
    return _EXPECTED[text]


def test_there_are_enough_real_records():
    assert len(RECORDS) > 1000


@pytest.mark.parametrize("text", ALL_EXPRESSIONS)
def test_compiled_predicate_equals_matches(text):
    fast = EventFilter.compile(text).predicate()
    assert [fast(r) for r in RECORDS] == _expected(text)


def _typed_verdicts(text: str, records: list[dict[str, Any]]) -> list[bool | None] | None:
    plan = plan_for(EventFilter.compile(text))
    if plan is None:
        return None
    typed = decode_typed(plan, orjson.dumps({"Records": records}))
    assert typed is not None and len(typed) == len(records)
    verdicts: list[bool | None] = []
    for record, raw in zip(typed, records, strict=True):
        try:
            verdict = plan.test(record)
        except Undecidable:
            verdict = None
        try:  # the generated per-file loop agrees, record by record (None: the plain path decides)
            whole_file = plan.verdict([record], False, None, parse_event_time)
            assert verdict is not None
            readable = parse_event_time(raw.get("eventTime")) is not None
            assert whole_file is None if (verdict or not is_cloudtrail_record(raw) or not readable) else whole_file == 1
        except Undecidable:
            assert verdict is None
        verdicts.append(verdict)
    return verdicts


@pytest.mark.parametrize("text", ALL_EXPRESSIONS)
def test_typed_precheck_equals_matches(text):
    verdicts = _typed_verdicts(text, RECORDS)
    if verdicts is None:  # needs the whole record: the plain path serves it
        assert "@" in text or "*." in text
        return
    assert verdicts == _expected(text)


def test_plans_exist_for_ordinary_filters():
    for text in EXPRESSIONS[:60]:
        assert plan_for(EventFilter.compile(text)) is not None, text


def test_a_type_error_inside_jmespath_is_no_match():
    # jmespath.search raises TypeError for 'a' < 1; a filter must not crash a scan on it.
    flt = EventFilter.compile("eventName < `5`")
    assert flt.matches({"eventName": "a"}) is False
    assert flt.predicate()({"eventName": "a"}) is False
    assert flt.predicate()({"eventName": 4}) is True


def test_errors_in_one_branch_decide_like_jmespath():
    # `length(null)` raises: the whole expression is no match, even where the other side is true.
    flt = EventFilter.compile("length(errorCode) > `0` || eventName == 'x'")
    record = {"eventName": "x"}
    assert flt.matches(record) is False and flt.predicate()(record) is False
    flt = EventFilter.compile("eventName == 'x' || length(errorCode) > `0`")
    assert flt.matches(record) is True and flt.predicate()(record) is True


@pytest.mark.parametrize("text", [
    "eventName == '__import__(\"os\").system(\"false\")'",
    "\"a')\\nimport os#\" == 'x'",
    "\"f0\" == 'x' && \"UNSET\" == 'y'",
])
def test_filter_text_never_becomes_code(text):
    flt = EventFilter.compile(text)
    record = {"eventName": '__import__("os").system("false")', "a')\nimport os#": "x", "f0": "x", "UNSET": "y",
              "eventTime": "2024-03-01T00:00:00Z"}
    assert flt.predicate()(record) is flt.matches(record) is True
    assert _typed_verdicts(text, [record]) in ([True], None)


def test_integers_beyond_64_bits_are_left_to_the_plain_decoder():
    # orjson reads 2**64 as a float, msgspec as an int: the typed pass must not guess.
    plan = plan_for(EventFilter.compile("x == `18446744073709551616.0`"))
    text = b'{"Records":[{"eventTime":"2024-03-01T00:00:00Z","eventName":"a","x":18446744073709551616}]}'
    records = decode_typed(plan, text)
    with pytest.raises(Undecidable):
        plan.test(records[0])
    assert EventFilter.compile("x == `18446744073709551616.0`").matches(orjson.loads(text)["Records"][0])
    # Where only string equality is asked, the number's form cannot matter.
    loose = plan_for(EventFilter.compile("x == 'a'"))
    assert loose.test(decode_typed(loose, text)[0]) is False


@pytest.mark.parametrize("text", [
    b'{"Records":[{"eventTime":"t","eventName":"a","x":"\xff"}]}',  # not UTF-8 in a skipped field
    b'{"Records":[{"eventTime":"t","eventName":"a"}]} trailing',
    b'[{"eventTime":"t","eventName":"a"}]',  # an array: decode_log's business
    b'{"Records":[1, 2]}',
    b'{"Records":{"eventTime":"t"}}',
    b'{"eventTime":"t","eventName":"a"}',
    b'{"Records":[{"eventTime":"t","eventName":"a","x":1e400}]}',
    b'',
])
def test_what_the_typed_decoder_cannot_judge_goes_to_the_plain_path(text):
    plan = plan_for(EventFilter.compile("eventName == 'a' && x == `1`"))
    assert decode_typed(plan, text) is None


def test_escaped_keys_and_duplicate_keys_read_like_orjson():
    text = (b'{"Records":[{"eventTime":"t","event\\u004eame":"ConsoleLogin","userIdentity":{"type":"IAMUser",'
            b'"type":"Root"},"eventName":"ConsoleLogin","x":{"a":1,"a":2}}]}')
    raw = orjson.loads(text)["Records"][0]
    for expression in ("eventName == 'ConsoleLogin'", "userIdentity.type == 'Root'", "x.a == `2`", "x == `{\"a\": 2}`"):
        plan = plan_for(EventFilter.compile(expression))
        assert plan.test(decode_typed(plan, text)[0]) is EventFilter.compile(expression).matches(raw) is True


def _outcome(decode, text: bytes) -> Any:
    try:
        return decode(text)
    except Exception:  # noqa: BLE001 - which error does not matter, only that both refuse
        return "refused"


def test_numbers_decode_alike():
    """Typed fields are msgspec `Any`: for every number JSON can hold within 64
    bits, msgspec and orjson give the same value or both refuse."""
    rng = random.Random(3)
    numbers = [repr(rng.uniform(-1e6, 1e6)) for _ in range(300)]
    numbers += [f"{rng.randrange(10**17)}.{rng.randrange(10**17)}e{rng.randrange(-330, 330)}" for _ in range(300)]
    numbers += ["0", "-0", "-0.0", "1E5", "1e-400", "123456789012345678", "9223372036854775807", "5e-324",
                "18446744073709551615", "-9223372036854775808", "1.7976931348623157e308", "1e309"]
    for number in numbers:
        text = f"[{number}]".encode()
        assert _outcome(msgspec.json.decode, text) == _outcome(orjson.loads, text), number


def test_typed_decoder_accepts_nothing_orjson_refuses():
    """Mutate a real file's bytes at random: whenever the typed decoder accepts a
    document, orjson accepts it too (so no file skipped as "no match" would
    have been a problem on the plain path), apart from the documented case of
    a number beyond the float range."""
    import re

    base = gzip.decompress((DATA / "scan/stratus-red-team/aws.defense-evasion.cloudtrail-stop.json.gz").read_bytes())
    document = orjson.dumps({"Records": json.loads(base)[:3]})
    plan = plan_for(EventFilter.compile("eventName == 'StopLogging'"))
    rng = random.Random(11)
    alphabet = b'{}[]",:\\/0123456789eE+-.tfnulrsa \t\n\x00\x1f\x7f\xc3\xa9\xff\xed\xa0\x80u'
    overflow = re.compile(rb"[0-9][eE][+-]?[0-9]{3}")
    accepted = 0
    for _ in range(3000):
        mutated = bytearray(document)
        for _ in range(rng.randint(1, 3)):
            position = rng.randrange(len(mutated))
            byte = alphabet[rng.randrange(len(alphabet))]
            roll = rng.random()
            if roll < 0.4:
                mutated[position] = byte
            elif roll < 0.7:
                mutated.insert(position, byte)
            else:
                del mutated[position]
        mutated = bytes(mutated)
        if decode_typed(plan, mutated) is None:
            continue
        accepted += 1
        if _outcome(orjson.loads, mutated) == "refused":
            assert overflow.search(mutated), mutated
    assert accepted > 100  # the mutations did not all break the document
