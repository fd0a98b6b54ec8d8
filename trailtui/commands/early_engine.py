"""The store's engine opened while the CLI is still loading.

A `query` or `stats` that the store answers from an unchanged tree spends a
fifth of its time loading DuckDB and creating its instance (~65 ms on 2
cores), and that used to begin only once the command, the filter engine and
the store's SQL were imported.  Before any of that, a look at argv says
whether the answer may come from a store: one of the commands, a local
source whose store has a manifest, none of the options that send the command
elsewhere.  Then the engine opens on a thread while the rest loads, and the
direct path (`trailtui.store.direct`, `trailtui.counts.store`) takes it.

A guess, never a decision: the command still decides exactly as before, and
an engine opened for nothing is closed (it cost a core for ~65 ms).  Nothing
of the store is imported when argv rules the guess out.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trailtui.store.engine import OpeningConnection

# Long options after which the answer never comes from an unchanged store, as
# typed or abbreviated (argparse takes any unambiguous prefix).
_ELSEWHERE = ("--no-index", "--since", "--until", "--follow", "--explain", "--accounts", "--help")
_SHORT_ELSEWHERE = ("-h", "-F")
_MOST_CANDIDATES = 4  # tokens tried as the source: each costs a realpath and a stat


def _named(token: str, options: Sequence[str]) -> bool:
    name = token.split("=", 1)[0]
    return len(name) > 2 and any(option.startswith(name) for option in options)


def _worth_a_guess(command: str, argv: Sequence[str]) -> bool:
    if command not in ("query", "stats"):
        return False
    options = [token for token in argv if token.startswith("-")]
    if any(_named(token, _ELSEWHERE) or token in _SHORT_ELSEWHERE for token in options):
        return False
    # a query without a filter is a plain scan (`trailtui.store.worth.store_pays`)
    return command == "stats" or any(_named(token, ("--filter",)) or token.startswith("-f") for token in options)


def early_engine(command: str, argv: Sequence[str]) -> OpeningConnection | None:
    """The engine, opening, when argv may be answered from a local store; else None."""
    if not _worth_a_guess(command, argv):
        return None
    from trailtui.store.location import locate

    tried = 0
    for token in argv:
        if token.startswith("-") or token == command or ("://" in token and not token.startswith("file://")):
            continue
        location = locate(token)
        if location is not None and os.path.isfile(location.manifest):
            from trailtui.store.engine import OpeningConnection

            return OpeningConnection()
        tried += 1
        if tried >= _MOST_CANDIDATES:
            break
    return None
