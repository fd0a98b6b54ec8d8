"""`trailtui demo`: a realistic, deterministic CloudTrail organisation trail with
one planted incident, signed digests and the demo public key.

Public API:
    DemoSpec, generate_demo, DemoResult   - build a demo tree
    DemoIncident, plan_incident           - the planted incident (times follow the spec)
    trailtui.demo.digests                 - reusable signed-digest writer (DigestSigner, DigestChainWriter)
"""

from trailtui.demo.generator import DemoResult, existing_demo, generate_demo
from trailtui.demo.incident import DemoIncident, IncidentStep, plan_incident
from trailtui.demo.manifest import MANIFEST_FILE, is_current, read_manifest
from trailtui.demo.spec import DemoSpec

__all__ = ["DemoIncident", "DemoResult", "DemoSpec", "IncidentStep", "MANIFEST_FILE", "existing_demo", "generate_demo",
           "is_current", "plan_incident", "read_manifest"]
