"""The event list's row order: the scan's rows in store order, follow-mode
arrivals above them (newest arrival first), interleaved in the store when the
scan is still spooling; positions and store indexes map both ways."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from trailtui.ui.row_order import RowOrder


def test_scan_only_is_the_identity():
    order = RowOrder()
    order.add(range(0, 500))
    order.add(range(500, 700))
    assert len(order) == 700 and [order.index_at(p) for p in (0, 1, 699)] == [0, 1, 699]
    assert order.position_of(42) == 42 and not order.is_arrived(42)


def test_arrivals_go_on_top_newest_first_and_interleave_with_a_spooling_scan():
    order = RowOrder()
    order.add(range(0, 3))  # scan: s0 s1 s2 (newest first)
    order.add(range(3, 5), arrived=True)  # poll 1, oldest first: a3 a4
    order.add(range(5, 7))  # the scan goes on: s5 s6
    order.add(range(7, 8), arrived=True)  # poll 2: a7
    shown = [order.index_at(p) for p in range(len(order))]
    assert shown == [7, 4, 3, 0, 1, 2, 5, 6]
    assert [order.position_of(i) for i in shown] == list(range(8))
    assert [i for i in range(8) if order.is_arrived(i)] == [3, 4, 7]


@given(st.lists(st.tuples(st.integers(1, 5), st.booleans()), max_size=30))
def test_positions_and_indexes_are_inverse(runs):
    order = RowOrder()
    start = 0
    for size, arrived in runs:
        order.add(range(start, start + size), arrived)
        start += size
    shown = [order.index_at(p) for p in range(len(order))]
    assert sorted(shown) == list(range(start))
    assert all(order.position_of(i) == p for p, i in enumerate(shown))
    arrivals = [i for i in shown if order.is_arrived(i)]
    assert shown[:len(arrivals)] == arrivals and arrivals == sorted(arrivals, reverse=True)
