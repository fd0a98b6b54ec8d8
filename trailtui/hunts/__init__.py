"""The hunt library: a catalogue of detections kept as data (`hunts.toml`),
and an engine that runs them over any event source in one pass."""

from trailtui.hunts.accounts import KnownAccounts, KnownAccountsError, load_known_accounts
from trailtui.hunts.catalogue import Catalogue, CatalogueError, load_catalogue
from trailtui.hunts.context import HuntContext
from trailtui.hunts.engine import Hit, HuntEngine
from trailtui.hunts.model import SEVERITIES, Hunt, Sequence, Threshold
from trailtui.hunts.runner import HuntProgress, candidate_filter, run_hunts
from trailtui.hunts.tally import HuntTallies, HuntTally

__all__ = [
    "Catalogue", "CatalogueError", "load_catalogue", "Hit", "HuntEngine", "SEVERITIES", "Hunt", "Sequence",
    "Threshold", "HuntProgress", "candidate_filter", "run_hunts", "HuntTallies", "HuntTally",
    "HuntContext", "KnownAccounts", "KnownAccountsError", "load_known_accounts",
]
