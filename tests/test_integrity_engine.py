"""The library API: `async for update in Verifier(...).run()` gives live
counts and a summary, and the worker-process path agrees with the thread path."""

from __future__ import annotations

import json
from pathlib import Path

from integrity_fixtures import (
    HOUR,
    T0,
    ChainSpec,
    StoredObject,
    build_trail,
    gz,
    key_list,
    log_body,
    signing_key,
    write_local,
)

from trailtui.integrity import Status, Verifier, VerifyOptions


def _tree(tmp_path: Path) -> tuple[str, str, dict[str, str]]:
    trail = build_trail(ChainSpec(hours=6, logs_per_hour=5))
    trail.objects[trail.logs[2][1]] = StoredObject(gz(log_body(T0, 3)))
    del trail.objects[trail.logs[4][0]]
    trail.objects[trail.logs[5][2]].body += b"\x00\x00"
    root = write_local(trail, tmp_path / "copy")
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps(key_list(signing_key())))
    expected = {str(root / trail.logs[2][1]): "HASH_MISMATCH", str(root / trail.logs[4][0]): "MISSING",
                str(root / trail.logs[5][2]): "TRAILING_DATA"}
    return str(root), str(keys), expected


async def _run(options: VerifyOptions):
    updates = [update async for update in Verifier(options).run()]
    return updates, [r for u in updates for r in u.results]


async def test_updates_carry_live_counts_and_end_with_a_summary(tmp_path):
    source, keys, expected = _tree(tmp_path)
    options = VerifyOptions(source, start=T0, end=T0 + 6 * HOUR, public_key_files=(keys,), processes=False)
    updates, results = await _run(options)
    final = updates[-1]
    assert final.phase == "done" and final.summary is not None and not final.summary.ok
    assert all(u.summary is None for u in updates[:-1])
    assert final.checked == len(results) == 6 + 30 and final.known >= final.checked
    assert final.counts == {Status.VALID: 33, Status.HASH_MISMATCH: 1, Status.MISSING: 1, Status.TRAILING_DATA: 1}
    assert {r.location: r.status.value for r in results if r.status is not Status.VALID} == expected
    assert [u.checked for u in updates] == sorted(u.checked for u in updates)  # counts only grow
    assert final.summary.logs.failed == 3 and final.summary.digests.valid == 6


async def test_worker_processes_agree_with_threads(tmp_path):
    source, keys, _ = _tree(tmp_path)
    base = dict(start=T0, end=T0 + 6 * HOUR, public_key_files=(keys,))
    _, in_threads = await _run(VerifyOptions(source, processes=False, **base))
    _, in_processes = await _run(VerifyOptions(source, processes=True, **base))
    assert sorted(r.to_json().items() for r in in_threads) == sorted(r.to_json().items() for r in in_processes)


async def test_cancelling_stops_cleanly(tmp_path):
    source, keys, _ = _tree(tmp_path)
    run = Verifier(VerifyOptions(source, public_key_files=(keys,))).run()
    first = await run.__anext__()
    assert first.summary is None
    await run.aclose()  # the consumer went away (the pane was restarted): no error, no stray work
