"""Credential chains: who is really behind a temporary access key.

STS calls (AssumeRole, AssumeRoleWithSAML, AssumeRoleWithWebIdentity,
GetSessionToken, GetFederationToken) name the key they issue in
`responseElements.credentials.accessKeyId`, and every later event names the key
it was made with.  One streaming pass over a source collects those issuance
links and a small summary per key (`ChainIndex`); `resolve` then walks back from
a key to its origin and forward to every key issued below it.  No Textual, no
Rich: the CLI, the console and the hunts are faces over this package.
"""

from trailtui.chains.collect import ChainScan, collect_chains
from trailtui.chains.index import ChainIndex, KeyUse
from trailtui.chains.issuance import Issuance, issuance_of
from trailtui.chains.model import Chain, Link, Origin
from trailtui.chains.resolve import MAX_CHAIN_LINKS, MAX_FORWARD_LINKS, key_of_event, resolve, start_key
from trailtui.chains.tree import ChainNode, chain_tree

__all__ = [
    "ChainScan", "collect_chains", "ChainIndex", "KeyUse", "Issuance", "issuance_of", "Chain", "Link", "Origin",
    "MAX_CHAIN_LINKS", "MAX_FORWARD_LINKS", "key_of_event", "resolve", "start_key", "ChainNode", "chain_tree",
]
