"""The CloudTrail table for Athena, as DDL with partition projection.

Columns, SerDe and input format are those of AWS's documented CloudTrail table
(Athena User Guide, "Create the table for CloudTrail logs in Athena using
partition projection"); partitions are the account, the region and the
delivery date (`timestamp`, yyyy/MM/dd), projected from the S3 layout
`[prefix/]AWSLogs/[o-ORGID/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/`, so no
partitions need adding, ever.  Every value that lands in the DDL is checked
against a strict pattern first: this text is pasted into a SQL console.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

COLUMNS = """    eventversion STRING,
    useridentity STRUCT<
        type: STRING,
        principalid: STRING,
        arn: STRING,
        accountid: STRING,
        invokedby: STRING,
        accesskeyid: STRING,
        username: STRING,
        onbehalfof: STRUCT<
            userid: STRING,
            identitystorearn: STRING>,
        sessioncontext: STRUCT<
            attributes: STRUCT<
                mfaauthenticated: STRING,
                creationdate: STRING>,
            sessionissuer: STRUCT<
                type: STRING,
                principalid: STRING,
                arn: STRING,
                accountid: STRING,
                username: STRING>,
            ec2roledelivery: STRING,
            webidfederationdata: STRUCT<
                federatedprovider: STRING,
                attributes: map<string,string>>>>,
    eventtime STRING,
    eventsource STRING,
    eventname STRING,
    awsregion STRING,
    sourceipaddress STRING,
    useragent STRING,
    errorcode STRING,
    errormessage STRING,
    requestparameters STRING,
    responseelements STRING,
    additionaleventdata STRING,
    requestid STRING,
    eventid STRING,
    readonly STRING,
    resources ARRAY<STRUCT<
        arn: STRING,
        accountid: STRING,
        type: STRING>>,
    eventtype STRING,
    apiversion STRING,
    recipientaccountid STRING,
    serviceeventdetails STRING,
    sharedeventid STRING,
    vpcendpointid STRING,
    vpcendpointaccountid STRING,
    eventcategory STRING,
    addendum STRUCT<
        reason: STRING,
        updatedfields: STRING,
        originalrequestid: STRING,
        originaleventid: STRING>,
    sessioncredentialfromconsole STRING,
    edgedevicedetails STRING,
    tlsdetails STRUCT<
        tlsversion: STRING,
        ciphersuite: STRING,
        clientprovidedhostheader: STRING>"""

DEFAULT_TABLE = "cloudtrail_logs"
DEFAULT_START = "2020/01/01"
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]")
_PREFIX = re.compile(r"[A-Za-z0-9!_.*()\-/]{0,900}")
_ACCOUNT = re.compile(r"\d{12}")
_ORG = re.compile(r"o-[a-z0-9]{10,32}")
_REGION = re.compile(r"[a-z]{2}(-[a-z0-9]+)+")
_TABLE = re.compile(r"(?:[a-z0-9_]{1,255}\.)?[a-z0-9_]{1,255}")
_DATE = re.compile(r"\d{4}/\d{2}/\d{2}")


class TableSpecError(ValueError):
    """A value that cannot go into the DDL; the message names it."""


@dataclass(frozen=True, slots=True)
class TableSpec:
    bucket: str
    prefix: str = ""
    accounts: tuple[str, ...] = ()
    org_id: str | None = None
    regions: tuple[str, ...] = ()
    table: str = DEFAULT_TABLE
    start: str = DEFAULT_START

    def validate(self) -> None:
        checks = [("--bucket", self.bucket, _BUCKET), ("--prefix", self.prefix, _PREFIX),
                  ("--table", self.table, _TABLE), ("start date", self.start, _DATE)]
        checks += [("--account", a, _ACCOUNT) for a in self.accounts]
        checks += [("--regions", r, _REGION) for r in self.regions]
        if self.org_id is not None:
            checks.append(("--org-id", self.org_id, _ORG))
        for flag, value, pattern in checks:
            if not pattern.fullmatch(value):
                raise TableSpecError(f"{flag} {value!r} is not valid here")
        if not self.regions:
            raise TableSpecError("no regions to project: pass --regions")

    @property
    def logs_root(self) -> str:
        """`s3://bucket/prefix/AWSLogs/[o-org/]`."""
        parts = [self.bucket] + ([self.prefix.strip("/")] if self.prefix.strip("/") else []) + ["AWSLogs"]
        if self.org_id:
            parts.append(self.org_id)
        return "s3://" + "/".join(parts) + "/"


def create_table_ddl(spec: TableSpec) -> str:
    """The CREATE EXTERNAL TABLE statement, ready to paste into Athena."""
    spec.validate()
    if spec.accounts:
        account = ("    'projection.account.type'='enum',\n"
                   f"    'projection.account.values'='{','.join(spec.accounts)}',\n")
    else:
        account = "    'projection.account.type'='injected',\n"
    return (
        f"CREATE EXTERNAL TABLE {spec.table} (\n{COLUMNS}\n)\n"
        "PARTITIONED BY (account string, region string, `timestamp` string)\n"
        "ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'\n"
        "STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'\n"
        "OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'\n"
        f"LOCATION '{spec.logs_root}'\n"
        "TBLPROPERTIES (\n"
        "    'projection.enabled'='true',\n"
        f"{account}"
        "    'projection.region.type'='enum',\n"
        f"    'projection.region.values'='{','.join(spec.regions)}',\n"
        "    'projection.timestamp.type'='date',\n"
        "    'projection.timestamp.format'='yyyy/MM/dd',\n"
        f"    'projection.timestamp.range'='{spec.start},NOW',\n"
        "    'projection.timestamp.interval'='1',\n"
        "    'projection.timestamp.interval.unit'='DAYS',\n"
        f"    'storage.location.template'='{spec.logs_root}${{account}}/CloudTrail/${{region}}/${{timestamp}}'\n"
        ");\n"
    )
