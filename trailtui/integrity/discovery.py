"""Find the digest chains and log folders under a source.

CloudTrail writes `[prefix/]AWSLogs/[o-ORGID/]ACCOUNT/CloudTrail-Digest/REGION/
YYYY/MM/DD/<name>` (digests) and `.../CloudTrail/REGION/...` (logs).  One chain
is one (folder, trail, home region, backfill or not).  Discovery walks folder
names (cheap `Delimiter` listings in S3) and lists keys only inside the date
folders the time window needs.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from trailtui.integrity.digest import DigestName, parse_digest_name
from trailtui.integrity.store import EvidenceStore, ListedObject
from trailtui.sources.layout import delivery_stamp

_ACCOUNT = re.compile(r"^\d{12}$")
_ORG = re.compile(r"^o-[a-z0-9]+$")
_TRAIL_ARN = re.compile(r"^arn:[^:]+:cloudtrail:(?P<region>[^:]+):(?P<account>\d{12}):trail/(?P<name>.+)$")
MAX_PREFIX_DEPTH = 4  # folders searched above `AWSLogs/` (bucket name, key prefix levels)


@dataclass(frozen=True, slots=True)
class TrailFilter:
    """What the user narrowed verification to; empty means everything."""

    trail_name: str | None = None
    trail_home_region: str | None = None
    trail_account: str | None = None
    accounts: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()

    @classmethod
    def build(cls, trail_arn: str | None, accounts: list[str] | tuple[str, ...] = (),
              regions: list[str] | tuple[str, ...] = ()) -> TrailFilter:
        """Raises ValueError for a malformed ARN."""
        name = home = account = None
        if trail_arn:
            match = _TRAIL_ARN.match(trail_arn.strip())
            if not match:
                raise ValueError(f"invalid trail ARN {trail_arn!r}: "
                                 "expected arn:aws:cloudtrail:REGION:ACCOUNT:trail/NAME")
            name, home, account = match["name"], match["region"], match["account"]
        return cls(name, home, account, frozenset(accounts), frozenset(regions))

    def wants_folder(self, folder: Folder) -> bool:
        if self.accounts and folder.account not in self.accounts:
            return False
        return not self.regions or folder.region in self.regions

    def wants_chain(self, folder: Folder, name: DigestName) -> bool:
        if self.trail_name is None:
            return True
        if name.trail != self.trail_name or name.home_region != self.trail_home_region:
            return False
        # An organisation trail's digests sit under member accounts, not the ARN's.
        return folder.org is not None or name.account == self.trail_account


@dataclass(frozen=True, slots=True)
class Folder:
    """One account and region under one `AWSLogs/` root."""

    base: str  # `[prefix/]AWSLogs/[o-ORGID/]ACCOUNT/`
    org: str | None
    account: str
    region: str

    @property
    def digest_prefix(self) -> str:
        return f"{self.base}CloudTrail-Digest/{self.region}/"

    @property
    def log_prefix(self) -> str:
        return f"{self.base}CloudTrail/{self.region}/"

    def label(self) -> str:
        org = f"{self.org}/" if self.org else ""
        return f"{org}{self.account}/{self.region}"


@dataclass(frozen=True, slots=True)
class ChainId:
    folder: Folder
    trail: str
    home_region: str
    backfill: bool

    @property
    def trail_arn(self) -> str:
        """The trail's ARN as far as the path tells: exact for an account's own
        trail; an organisation trail's ARN names the management account, which
        the path does not show, so it is described instead."""
        if self.folder.org:
            return (f"{self.trail} (organization {self.folder.org}, member account {self.folder.account}, "
                    f"home region {self.home_region})")
        return f"arn:aws:cloudtrail:{self.home_region}:{self.folder.account}:trail/{self.trail}"


@dataclass(slots=True)
class ListedDigest:
    obj: ListedObject
    name: DigestName


@dataclass(slots=True)
class Chain:
    id: ChainId
    listed: list[ListedDigest] = field(default_factory=list)  # oldest first
    selected: bool = True  # False: another trail in a selected folder, walked only to excuse its logs
    ends: list[datetime] = field(default_factory=list)  # listed[i].name.end, for bisection

    def sort(self) -> None:
        self.listed.sort(key=lambda item: item.name.end)
        self.ends = [item.name.end for item in self.listed]

    def older_than(self, when: datetime) -> range:
        """Indexes of listed digests ending before `when`, newest first."""
        return range(bisect_left(self.ends, when) - 1, -1, -1)

    def between(self, low: datetime, high: datetime) -> range:
        """Indexes of listed digests ending strictly between `low` and `high`."""
        return range(bisect_right(self.ends, low), bisect_left(self.ends, high))


@dataclass(slots=True)
class FolderContents:
    folder: Folder
    chains: list[Chain]
    logs: list[ListedObject]


@dataclass(frozen=True, slots=True)
class Window:
    """The delivery-time window and the listing ranges derived from it."""

    start: datetime | None
    end: datetime

    @property
    def digest_low(self) -> datetime | None:
        # a little before start: the digest covering the start, and one older to measure holes
        return self.start - timedelta(hours=3) if self.start else None

    @property
    def digest_high(self) -> datetime:
        return self.end + timedelta(hours=1)


def day_bounds(prefix: str, low: datetime | None, high: datetime | None) -> tuple[str, str | None]:
    """`list_keys` bounds for the date folders under `prefix` that can hold
    files from `low` to `high` (a day of slack each side; None: unbounded)."""
    start_after = f"{prefix}{low - timedelta(days=1):%Y/%m/%d}/~" if low else ""
    stop_before = f"{prefix}{high + timedelta(days=1):%Y/%m/%d}/" if high else None
    return start_after, stop_before


async def find_awslogs_roots(store: EvidenceStore, start: str) -> list[str]:
    """Prefixes ending in `AWSLogs/` at most MAX_PREFIX_DEPTH folders below `start`."""
    if re.search(r"(?:^|/)AWSLogs/$", start):
        return [start]
    roots: list[str] = []
    level = [start]
    for _ in range(MAX_PREFIX_DEPTH + 1):
        deeper: list[str] = []
        for prefix in level:
            for name in await store.list_dirs(prefix):
                if name == "AWSLogs":
                    roots.append(f"{prefix}AWSLogs/")
                elif not name.startswith("."):
                    deeper.append(f"{prefix}{name}/")
        level = deeper
        if not level:
            break
    return roots


async def find_folders(store: EvidenceStore, root: str, wanted: TrailFilter) -> list[Folder]:
    """Every account/region folder with digests or logs under one `AWSLogs/` root."""
    accounts: list[tuple[str, str | None, str]] = []  # (base, org, account)
    for name in await store.list_dirs(root):
        if _ACCOUNT.match(name):
            accounts.append((f"{root}{name}/", None, name))
        elif _ORG.match(name):
            for member in await store.list_dirs(f"{root}{name}/"):
                if _ACCOUNT.match(member):
                    accounts.append((f"{root}{name}/{member}/", name, member))
    folders = []
    for base, org, account in accounts:
        if wanted.accounts and account not in wanted.accounts:
            continue
        kinds = set(await store.list_dirs(base))
        regions: set[str] = set()
        for kind in ("CloudTrail-Digest", "CloudTrail"):
            if kind in kinds:
                regions.update(await store.list_dirs(f"{base}{kind}/"))
        for region in sorted(regions):
            folder = Folder(base, org, account, region)
            if wanted.wants_folder(folder):
                folders.append(folder)
    return folders


async def list_folder(store: EvidenceStore, folder: Folder, window: Window, wanted: TrailFilter) -> FolderContents:
    """The digests (grouped into chains) and log files of one folder inside the window."""
    chains: dict[ChainId, Chain] = {}
    low, high = window.digest_low, window.digest_high
    after, before = day_bounds(folder.digest_prefix, low, high)
    async for obj in store.list_keys(folder.digest_prefix, after, before):
        name = parse_digest_name(obj.ref.key.rsplit("/", 1)[-1])
        if name is None or (low and name.end < low) or name.end > high:
            continue
        chain_id = ChainId(folder, name.trail, name.home_region, name.backfill)
        chain = chains.setdefault(chain_id, Chain(chain_id, selected=wanted.wants_chain(folder, name)))
        chain.listed.append(ListedDigest(obj, name))
    for chain in chains.values():
        chain.sort()
    logs = []
    after, before = day_bounds(folder.log_prefix, window.start, window.end)
    # Only files in the first and last day folders can fall outside the window.
    edge_days = {f"{window.end:%Y/%m/%d}"} | ({f"{window.start:%Y/%m/%d}"} if window.start else set())
    day_at = len(folder.log_prefix)
    floor = window.start.replace(second=0, microsecond=0) if window.start else None
    async for obj in store.list_keys(folder.log_prefix, after, before):
        key = obj.ref.key
        if key[day_at:day_at + 10] in edge_days:
            stamp = delivery_stamp(key.rsplit("/", 1)[-1])
            if stamp is not None and ((floor and stamp < floor) or stamp > window.end):
                continue
        logs.append(obj)
    return FolderContents(folder, sorted(chains.values(), key=lambda c: (c.id.trail, c.id.backfill)), logs)
