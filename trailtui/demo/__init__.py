"""`trailtui demo`: a realistic, deterministic CloudTrail organisation trail with
one planted incident, signed digests and the demo public key.

Public API (imported lazily, so `trailtui --help` and other commands do not pay
for the generator and `cryptography` at start-up):
    DemoSpec, generate_demo, existing_demo, DemoResult  - build or find a demo tree
    DemoIncident, IncidentStep, plan_incident           - the planted incident (times follow the spec)
    read_manifest, is_current, MANIFEST_FILE            - trailtui-demo.json
    trailtui.demo.digests                               - reusable signed-digest writer
                                                          (DigestSigner, DigestChainWriter, DigestLogFile)
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "DemoResult": "trailtui.demo.generator",
    "existing_demo": "trailtui.demo.generator",
    "generate_demo": "trailtui.demo.generator",
    "DemoIncident": "trailtui.demo.incident",
    "IncidentStep": "trailtui.demo.incident",
    "plan_incident": "trailtui.demo.incident",
    "MANIFEST_FILE": "trailtui.demo.manifest",
    "is_current": "trailtui.demo.manifest",
    "read_manifest": "trailtui.demo.manifest",
    "DemoSpec": "trailtui.demo.spec",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'trailtui.demo' has no attribute {name!r}")
    return getattr(import_module(module), name)
