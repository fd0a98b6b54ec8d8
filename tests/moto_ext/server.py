"""The test AWS endpoint: moto's server, in its own process, plus the operations
moto lacks (LookupEvents, ListPublicKeys, Lake queries, GetTrailStatus delivery
fields), added by the modules in this folder.

Each extension module defines `install() -> None`, which patches moto's response
classes in *this* process only.  Production code never sees moto: it talks HTTP
to this server through `endpoint_url`, exactly as it would to AWS.

Run: python tests/moto_ext/server.py PORT
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def install_extensions() -> list[str]:
    here = Path(__file__).parent
    sys.path.insert(0, str(here.parent.parent))
    names = []
    for info in pkgutil.iter_modules([str(here)]):
        if info.name in ("server", "__init__") or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"tests.moto_ext.{info.name}")
        install = getattr(module, "install", None)
        if install is not None:
            install()
            names.append(info.name)
    return names


def main() -> None:
    port = int(sys.argv[1])
    installed = install_extensions()
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    print(f"moto ready on {port} with {installed}", flush=True)
    try:
        sys.stdin.read()  # run until the parent closes our stdin (or kills us)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
