"""JMESPath -> SQL and -> lookup attribute: what is pushed, what is not, and
that nothing a user types can change the SQL's structure."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot import exp

from trailtui.filters import EventFilter
from trailtui.sources import Query
from trailtui.sources.athena import athena_statement
from trailtui.sources.lake import lake_statement
from trailtui.sources.pushdown import ATHENA, LAKE, choose_lookup_attribute, sql_string, to_sql
from trailtui.sources.pushdown.literals import like_escape
from trailtui.timerange import TimeRange, parse_time

INJECTION = "eventName == 'x\\' OR 1=1 --'"


def _where(text: str, dialect=ATHENA):
    return to_sql(EventFilter.compile(text), dialect)


def test_injection_is_one_literal_comparison():
    flt = EventFilter.compile(INJECTION)
    assert flt.ast["children"][1]["value"] == "x' OR 1=1 --"
    for dialect in (ATHENA, LAKE):
        translation = to_sql(flt, dialect)
        tree = sqlglot.parse_one(f"SELECT 1 FROM t WHERE {translation.where}", read="trino")
        where = tree.args["where"].this
        while isinstance(where, exp.Paren):
            where = where.this
        assert isinstance(where, exp.NullSafeEQ)
        assert where.expression.this == "x' OR 1=1 --"
        assert len(list(tree.find_all(exp.Literal))) == 2  # the literal, and the 1 of SELECT 1
        assert not list(tree.find_all(exp.Or))


@pytest.mark.parametrize("text,athena,exact", [
    ("eventName == 'ConsoleLogin'", "(eventname IS NOT DISTINCT FROM 'ConsoleLogin')", True),
    ("sourceIPAddress != 'AWS Internal'", "(sourceipaddress IS DISTINCT FROM 'AWS Internal')", True),
    ("errorCode == `null`", "(errorcode IS NULL)", True),
    ("errorCode != `null`", "(errorcode IS NOT NULL)", True),
    ("readOnly == `false`", "(readonly IS NOT DISTINCT FROM 'false')", True),
    ("userIdentity.sessionContext.sessionIssuer.userName == 'r'",
     "(useridentity.sessioncontext.sessionissuer.username IS NOT DISTINCT FROM 'r')", True),
    ("starts_with(eventSource, 'iam.')", "coalesce(eventsource LIKE 'iam.%' ESCAPE '\\', FALSE)", True),
    ("ends_with(userAgent, '50%_x')", "coalesce(useragent LIKE '%50\\%\\_x' ESCAPE '\\', FALSE)", True),
    ("eventTime >= '2024-05-01T03:00:00Z'", "coalesce(eventtime >= '2024-05-01T03:00:00Z', FALSE)", True),
    ("userIdentity.userName", "(useridentity.username IS NOT NULL AND useridentity.username <> '')", True),
    ("requestParameters.bucketName == 'lo\\gs'",
     "(json_extract_scalar(requestparameters, '$.bucketName') IS NOT DISTINCT FROM 'lo\\gs')", False),
    ("requestParameters.bucketName == 'logs'",
     "(coalesce(try(json_format(json_extract(requestparameters, '$.bucketName'))), 'null') = '\"logs\"')", True),
    ("requestParameters.enable != `true`",
     "(coalesce(try(json_format(json_extract(requestparameters, '$.enable'))), 'null') <> 'true')", True),
    ("!(requestParameters.userName)",
     "(NOT coalesce(try(json_format(json_extract(requestparameters, '$.userName'))) NOT IN "
     "('null', 'false', '\"\"', '[]', '{}'), FALSE))", True),
    ("eventName == 'A' && cidr_match(sourceIPAddress, '10.0.0.0/8')",
     "((eventname IS NOT DISTINCT FROM 'A') AND (coalesce(contains('10.0.0.0/8', "
     "TRY_CAST(sourceipaddress AS IPADDRESS)), FALSE) OR coalesce(strpos(sourceipaddress, '%') > 0, FALSE)))", False),
    ("icontains(userAgent, 'SQLMap')",
     "(coalesce(lower(useragent) LIKE '%sqlmap%' ESCAPE '\\', FALSE) "
     "OR coalesce(regexp_like(useragent, '[^ -~]'), FALSE))",
     False),
    ("iequals('ConsoleLogin', eventName)",
     "(coalesce(lower(eventname) = 'consolelogin', FALSE) OR coalesce(regexp_like(eventname, '[^ -~]'), FALSE))",
     False),
    ("istarts_with(eventSource, 'IAM.')",
     "(coalesce(lower(eventsource) LIKE 'iam.%' ESCAPE '\\', FALSE) OR coalesce(regexp_like(eventsource, '[^ -~]'), "
     "FALSE))", False),
    ("lower(userIdentity.userName) == 'bob'",
     "(coalesce(lower(useridentity.username) = 'bob', FALSE) OR coalesce(regexp_like(useridentity.username, '[^ -~]'), "
     "FALSE))", False),
    ("starts_with(upper(eventName), 'GET')",
     "(coalesce(upper(eventname) LIKE 'GET%' ESCAPE '\\', FALSE) OR coalesce(regexp_like(eventname, '[^ -~]'), FALSE))",
     False),
    ("regex_match(userAgent, '^aws-cli/[0-9]+\\.')",
     "(coalesce(regexp_like(useragent, '^aws-cli/[0-9]+\\.'), FALSE) OR coalesce(regexp_like(useragent, '[^ -~]'), "
     "FALSE))", False),
    ("!(eventName == 'A') || errorCode == `null`",
     "((NOT (eventname IS NOT DISTINCT FROM 'A')) OR (errorcode IS NULL))", True),
])
def test_athena_translations(text, athena, exact):
    translation = _where(text)
    assert (translation.where, translation.exact) == (athena, exact)
    sqlglot.parse_one(f"SELECT 1 FROM t WHERE {translation.where}", read="trino")


@pytest.mark.parametrize("text", [
    "cidr_match(userAgent, 'not-a-network')",             # not a network
    "regex_match(userAgent, 'a{')",                       # a literal { in RE2, an error in Java
    "regex_match(userAgent, '(?i)curl')",                 # inline flags differ
    "regex_match(userAgent, '[a&&b]')",                   # an intersection in Java, literal & in RE2
    "regex_match(userAgent, '\\s')",                      # \s differs (\x0B)
    "icontains(userAgent, 'stra\u00dfe')",                # a literal outside ASCII: casefold is not lower
    "!icontains(userAgent, 'x')",                         # a superset cannot be negated
    "requestParameters.bucketName != 'lo\"gs'",           # JSON text, a value JSON escapes: != would drop rows
    "!(requestParameters.bucketName == 'lo\"gs')",        # a superset cannot be negated
    "eventName == 'A' || length(resources) > `1`",        # one side of || unknown
    "readOnly == 'false'",                                # wrong literal type: JMESPath says never
    "resources[0].ARN == 'x'", "length(resources) > `1`", "eventname == 'x'",  # not a column path
    "contains(requestParameters.ids, 'i-1')",             # contains() also tests lists
    "icontains(requestParameters.ids, 'i-1')",            # icontains() also tests lists
])
def test_untranslatable_parts_are_left_to_the_client(text):
    translation = _where(text)
    assert translation.where == "TRUE" and not translation.exact


def test_cidr_only_where_the_dialect_has_ip_functions():
    assert _where("cidr_match(sourceIPAddress, '10.0.0.0/8')", LAKE).where == "TRUE"
    assert "'10.0.0.0/8'" in _where("cidr_match(sourceIPAddress, '10.1.2.3/8')").where  # normalised network


def test_store_cidr_match_of_an_ipv4_network_is_exact_and_negates():
    """On the store's typed columns `cidr_match` with an IPv4 network selects
    exactly the addresses the filter matches (so `!cidr_match` pushes down):
    run by DuckDB over dotted quads, near misses and non-addresses."""
    import random

    import duckdb

    from trailtui.sources.pushdown import STORE

    rng = random.Random(11)
    octets = [0, 1, 9, 10, 16, 31, 32, 63, 64, 99, 100, 127, 128, 168, 169, 172, 192, 254, 255, 256, 300]
    values = ["010.1.1.1", "10.1.1.1", "10.1.1.1 ", "\u0663.1.1.1", "10.1.1", "10.1.1.1.1", "::ffff:10.1.1.1",
              "10.1.1.1\n", "+1.2.3.4", "1..2.3", "1.2.3.4%eth0", "", "ec2.amazonaws.com", "AWS Internal", None,
              "10.1.2.9", "10.1.3.255", "10.1.4.0", "10.1.1.255", "172.16.31.1", "172.16.32.1", "192.168.0.77",
              "100.1.2.3", "1.2.3.4"]
    values += [".".join(str(rng.choice(octets)) for _ in range(rng.choice([3, 4, 4, 4, 5]))) for _ in range(2000)]
    con = duckdb.connect()
    con.execute("CREATE TABLE t (sourceipaddress VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [[v] for v in values])
    for network in ("10.0.0.0/8", "172.16.0.0/12", "100.64.0.0/10", "0.0.0.0/0", "192.168.1.7/32", "10.1.2.3/8",
                    "10.1.2.0/23", "192.168.0.0/24", "172.16.16.0/20", "1.0.0.0/7"):
        for text in (f"cidr_match(sourceIPAddress, '{network}')", f"!cidr_match(sourceIPAddress, '{network}')"):
            flt = EventFilter.compile(text)
            translation = to_sql(flt, STORE)
            assert translation.exact, text
            query = f"SELECT sourceipaddress FROM t WHERE {translation.where}"
            kept = [row[0] for row in con.execute(query).fetchall()]
            wanted = [v for v in values if flt.matches({"sourceIPAddress": v} if v is not None else {})]
            assert sorted(kept, key=str) == sorted(wanted, key=str), text
    assert not to_sql(EventFilter.compile("!cidr_match(sourceIPAddress, 'fc00::/7')"), STORE).pushed


def test_regex_over_alternative_fields_keeps_every_match():
    """`regex_match(lower(a.value || a), 'p')` (the GPU hunt's form) becomes
    the pattern over each alternative: the value is one of them.  Run by
    DuckDB over the store's JSON column, it keeps every matching record and
    drops the plain misses."""
    import duckdb
    import orjson

    from trailtui.sources.pushdown import STORE

    text = ("regex_match(lower(requestParameters.instanceType.value || requestParameters.instanceType), "
            "'^(p[0-9]|g[0-9])')")
    flt = EventFilter.compile(text)
    translation = to_sql(flt, STORE)
    assert translation.pushed and not translation.exact
    types = ["P4d.24xlarge", {"value": "g5.xlarge"}, "t3.micro", {"value": "t3.large"}, 7, None, "\uff304d",
             {"value": 5}, {"value": ""}, "", {"other": "p3"}, ["p3.2xlarge"], {"value": "G6.xlarge"}]
    records = [{"requestParameters": {"instanceType": t}} if t is not None else {"requestParameters": {}}
               for t in types]
    con = duckdb.connect()
    con.execute("CREATE TABLE t (n INTEGER, request_parameters VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?)",
                    [[n, orjson.dumps(r["requestParameters"]).decode()] for n, r in enumerate(records)])
    kept = {row[0] for row in con.execute(f"SELECT n FROM t WHERE {translation.where}").fetchall()}
    wanted = {n for n, r in enumerate(records) if flt.matches(r)}
    assert wanted == {0, 1, 12}
    assert wanted <= kept and not kept & {2, 3, 4, 5, 7, 8, 9, 10}


def test_caseless_pushdown_keeps_every_casefold_match():
    """The SQL (run by DuckDB as the test server does) keeps every row the
    filter matches, including values whose casefold is not their lower()."""
    import duckdb

    values = ["SQLMap/1.0", "x sqlmap", "Stra\u00dfe", "\u017fqlmap", "curl", None, "K\u212aLVIN", "aws-cli/2.1"]
    con = duckdb.connect()
    con.execute("CREATE TABLE t (useragent VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [[v] for v in values])
    for text in ("icontains(userAgent, 'sqlmap')", "iequals(userAgent, 'strasse')", "istarts_with(userAgent, 'kk')",
                 "lower(userAgent) == 'curl'", "regex_match(userAgent, '^aws-cli/[0-9]+\\.')",
                 "regex_match(lower(userAgent), 'sql(map)?')"):
        flt = EventFilter.compile(text)
        where = _where(text).where
        kept = {row[0] for row in con.execute(sqlglot.transpile(f"SELECT useragent FROM t WHERE {where}",
                                                                read="trino", write="duckdb")[0]).fetchall()}
        wanted = {v for v in values if flt.matches({"userAgent": v} if v is not None else {})}
        assert wanted <= kept, text
        assert kept - wanted <= {v for v in values if v and any(not " " <= c <= "~" for c in v)}, text


def test_lake_uses_typed_columns_and_eventjson():
    assert _where("readOnly == `true`", LAKE).where == "(readonly IS NOT DISTINCT FROM TRUE)"
    assert _where("eventTime < '2024'", LAKE).where == \
        "coalesce(json_extract_scalar(eventjson, '$.eventTime') < '2024', FALSE)"
    anything = _where("requestParameters.roleName == 'admin'", LAKE)
    assert anything.where == \
        "(coalesce(try(json_format(json_extract(eventjson, '$.requestParameters.roleName'))), 'null') = '\"admin\"')"
    assert anything.exact
    escaped = _where("requestParameters.roleName == 'a\\\\b'", LAKE)
    assert escaped.where.startswith("(json_extract_scalar(eventjson, ") and not escaped.exact
    assert _where("requestParameters.\"odd'key\" == 'x'", LAKE).where == "TRUE"  # keys are never quoted in


def test_literal_escaping():
    assert sql_string("O'Brien \\ x") == "'O''Brien \\ x'"
    assert like_escape("a%b_c\\") == "a\\%b\\_c\\\\"
    assert _where("eventName == 'a\u0000b'").where == "TRUE"


def test_statements_push_time_and_limit_only_when_exact():
    window = TimeRange(parse_time("2024-03-01T10:00:00Z"), parse_time("2024-03-02T09:30:00Z"))
    sql, exact = athena_statement("db", "t", Query(filter=EventFilter.compile("eventName == 'A'"),
                                                   time_range=window, limit=5))
    assert exact and sql.endswith("ORDER BY eventtime DESC LIMIT 5")
    assert "\"timestamp\" >= '2024/03/01'" in sql and "\"timestamp\" <= '2024/03/03'" in sql
    assert "eventtime >= '2024-03-01T10:00:00'" in sql and "eventtime < '2024-03-02T09:30:01'" in sql
    sql, exact = athena_statement("db", "t",
                                  Query(filter=EventFilter.compile("length(resources) > `1`"),
                                                   limit=5))
    assert not exact and "LIMIT" not in sql and "WHERE" not in sql
    sql, _ = lake_statement("EXAMPLE-1234", Query(time_range=window, limit=2))
    assert sql == ("SELECT eventjson AS eventjson FROM EXAMPLE-1234 WHERE eventtime >= '2024-03-01 10:00:00.000' "
                   "AND eventtime <= '2024-03-02 09:30:00.000' ORDER BY eventtime DESC LIMIT 2")


@pytest.mark.parametrize("text,expected", [
    ("eventName == 'A' && userIdentity.accessKeyId == 'AKIA1' && eventSource == 'iam.amazonaws.com'",
     ("AccessKeyId", "AKIA1")),
    ("'ConsoleLogin' == eventName && userIdentity.userName == 'bob'", ("Username", "bob")),
    ("eventID == 'e-1' && userIdentity.accessKeyId == 'AKIA1'", ("EventId", "e-1")),
    ("readOnly == `false` && eventSource == 'iam.amazonaws.com'", ("EventSource", "iam.amazonaws.com")),
    ("readOnly == `true`", ("ReadOnly", "true")),
    ("eventName == 'A' || eventName == 'B'", None),
    ("!(eventName == 'A')", None),
    ("eventName != 'A'", None),
    ("readOnly == 'true'", None),
    ("eventName == ''", None),
])
def test_lookup_attribute_is_the_most_selective_one_implied(text, expected):
    chosen = choose_lookup_attribute(EventFilter.compile(text))
    assert (None if chosen is None else (chosen.key, chosen.value)) == expected
