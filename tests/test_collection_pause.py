"""trailtui/collection_pause.py: the collector is off inside, back to its
previous state after (also when the work raises), and never turned on by a
pause that found it off."""

from __future__ import annotations

import gc

import pytest

from trailtui.collection_pause import paused_collection


def test_the_collector_is_off_inside_and_restored_after_even_on_error() -> None:
    assert gc.isenabled()
    with paused_collection():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), paused_collection():
        assert not gc.isenabled()
        _ = 1 / 0
    assert gc.isenabled()


def test_a_pause_inside_a_pause_leaves_the_collector_off_until_the_outer_one_ends() -> None:
    try:
        with paused_collection():
            with paused_collection():
                pass
            assert not gc.isenabled()
        assert gc.isenabled()
        gc.disable()
        with paused_collection():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
