"""Plumbing shared by trailtui's moto extensions (test server process only).

`add_route` adds a test-only HTTP route under `/moto-api/trailtui/`, which is
how tests seed data the server then serves through the real AWS APIs.
`on_reset` registers a callback for `POST /moto-api/reset`, so per-test state
is cleared exactly like moto's own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

Handler = Callable[[dict[str, Any]], Any]
_reset_hooks: list[Callable[[], None]] = []
_installed = {"reset": False}


def add_route(name: str, handler: Handler) -> None:
    """`POST /moto-api/trailtui/<name>` with a JSON body -> `handler(body)`, whose
    return value is sent back as JSON (GET passes the query string as a dict)."""
    from moto.moto_api._internal import urls

    def view(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
        if request.method == "GET":
            body = {k: v for k, v in request.args.items()} if hasattr(request, "args") else {}
        else:
            raw = request.get_data() if hasattr(request, "get_data") else request.body
            body = json.loads(raw or b"{}")
        result = handler(body)
        return 200, {"Content-Type": "application/json"}, json.dumps(result, default=str)

    view.__name__ = f"trailtui_{name.replace('/', '_').replace('-', '_')}"
    urls.url_paths["{0}/moto-api/trailtui/" + name + "$"] = view


def on_reset(hook: Callable[[], None]) -> None:
    _reset_hooks.append(hook)
    if _installed["reset"]:
        return
    from moto.moto_api._internal.models import MotoAPIBackend

    original = MotoAPIBackend.reset

    def reset(self: Any) -> None:
        original(self)
        for callback in _reset_hooks:
            callback()

    MotoAPIBackend.reset = reset  # type: ignore[method-assign]
    _installed["reset"] = True


def request_json(response: Any) -> dict[str, Any]:
    """The JSON body of a JSON-protocol request inside a moto response method."""
    try:
        value = json.loads(response.body or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
