"""The drill clock (演练) kept with the data: start, continue after a restart, change speed."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest

from yuqing.alerting.drill import drill_clock
from yuqing.clock import ScaledClock
from yuqing.post import SHANGHAI
from yuqing.storage.database import migrate, session_factory
from yuqing.storage.models import ClockState

T0 = datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI).timestamp()  # a real "now", in epoch seconds


@pytest.fixture
def sessions(workflow_engine):
    migrate(workflow_engine)
    return session_factory(workflow_engine)


def stored(sessions) -> tuple[float, float, float] | None:
    with sessions() as session:
        state = session.get(ClockState, 1)
        return None if state is None else (state.origin_real, state.origin_sim, state.scale)


def sim_at(clock: ScaledClock, real: float) -> datetime:
    """The clock's simulated time when the real clock reads ``real``."""
    return ScaledClock(clock.origin_real, clock.origin_sim, clock.scale, real=lambda: real).now()


def test_a_data_dir_without_a_drill_runs_on_the_system_clock(sessions) -> None:
    assert drill_clock(sessions, None, real=T0) is None
    assert stored(sessions) is None


def test_a_new_drill_starts_at_the_real_present_and_is_kept(sessions) -> None:
    before = time.time()
    clock = drill_clock(sessions, 60.0)
    after = time.time()
    assert isinstance(clock, ScaledClock)
    assert before <= clock.origin_real <= after
    assert clock.origin_sim == clock.origin_real and clock.scale == 60.0
    assert stored(sessions) == (clock.origin_real, clock.origin_sim, 60.0)


def test_a_drill_runs_scale_times_real_time(sessions) -> None:
    clock = drill_clock(sessions, 60.0, real=T0)
    assert (clock.origin_real, clock.origin_sim, clock.scale) == (T0, T0, 60.0)
    assert sim_at(clock, T0) == datetime.fromtimestamp(T0, SHANGHAI)
    assert sim_at(clock, T0 + 120) == datetime.fromtimestamp(T0, SHANGHAI) + timedelta(hours=2)
    assert sim_at(clock, T0).utcoffset() == timedelta(hours=8)


def test_reopening_continues_the_stored_timeline(sessions) -> None:
    drill_clock(sessions, 60.0, real=T0)
    # the service stopped and starts again 100 real seconds later, with no --time-scale
    again = drill_clock(sessions, None, real=T0 + 100)
    assert (again.origin_real, again.origin_sim, again.scale) == (T0, T0, 60.0)
    # as if time had kept running: 100 s × 60 = 100 simulated minutes
    assert sim_at(again, T0 + 100) == datetime.fromtimestamp(T0, SHANGHAI) + timedelta(minutes=100)
    # the same scale again changes nothing either
    same = drill_clock(sessions, 60.0, real=T0 + 200)
    assert (same.origin_real, same.origin_sim, same.scale) == (T0, T0, 60.0)
    assert stored(sessions) == (T0, T0, 60.0)


def test_reopening_at_another_scale_reanchors_without_a_jump(sessions) -> None:
    drill_clock(sessions, 60.0, real=T0)
    restarted = T0 + 100  # simulated: T0 + 6000 s
    faster = drill_clock(sessions, 600.0, real=restarted)
    assert (faster.origin_real, faster.origin_sim, faster.scale) == (restarted, T0 + 6000, 600.0)
    assert stored(sessions) == (restarted, T0 + 6000, 600.0)
    start = datetime.fromtimestamp(T0, SHANGHAI)
    assert sim_at(faster, restarted) == start + timedelta(seconds=6000)  # no jump at the switch
    assert sim_at(faster, restarted + 10) == start + timedelta(seconds=6000 + 6000)  # then 600× onward
    # and a later restart without a scale continues at the new speed from the new anchor
    later = drill_clock(sessions, None, real=restarted + 20)
    assert sim_at(later, restarted + 20) == start + timedelta(seconds=6000 + 12000)
