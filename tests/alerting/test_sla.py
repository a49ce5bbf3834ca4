"""The SLA schedule as pure functions: which escalation steps fall due, and each clock's status."""

from __future__ import annotations

from datetime import datetime, timedelta

from yuqing.alerting.sla import BREACH, Firing, SlaPolicy, Step, due_firings, policies_from_settings, sla_status
from yuqing.post import SHANGHAI
from yuqing.settings import Settings

START = datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)

# the defaults of the policy: warn the brand lead at 75 %, the director at the breach
RESPONSE = SlaPolicy(
    kind="response",
    due_after=timedelta(hours=2),
    steps=(Step(at=0.75, notify=("brand_lead",)), Step(at=1.0, notify=("director",))),
)
# a major crisis: the director at once and every 15 minutes, the lead too at the deadline
DIRECTOR = SlaPolicy(
    kind="director_report",
    due_after=timedelta(hours=2),
    severities=("major",),
    steps=(
        Step(at=0, notify=("director",), repeat=timedelta(minutes=15)),
        Step(at=1.0, notify=("director", "brand_lead")),
    ),
)


def minutes(n: float) -> datetime:
    return START + timedelta(minutes=n)


def test_nothing_is_due_before_the_warning() -> None:
    schedule = due_firings(RESPONSE, START, {}, minutes(89))
    assert schedule.firings == []
    assert schedule.progress == {}
    assert schedule.next_at == minutes(90)


def test_the_warning_fires_at_75_percent_and_the_deadline_comes_next() -> None:
    schedule = due_firings(RESPONSE, START, {}, minutes(90))
    assert schedule.firings == [Firing(0, 0, minutes(90))]
    assert schedule.progress == {"0": 1}
    assert schedule.next_at == minutes(120)
    assert RESPONSE.steps[0].kind == "warning" and RESPONSE.steps[1].kind == "escalation"


def test_a_fired_warning_does_not_fire_again() -> None:
    schedule = due_firings(RESPONSE, START, {"0": 1}, minutes(119))
    assert schedule.firings == []
    assert schedule.progress == {"0": 1}
    assert schedule.next_at == minutes(120)


def test_at_the_deadline_the_breach_comes_first_then_the_escalation() -> None:
    assert due_firings(RESPONSE, START, {"0": 1}, minutes(120)).firings == []  # the deadline itself is in time
    schedule = due_firings(RESPONSE, START, {"0": 1}, minutes(120) + timedelta(seconds=1))
    assert schedule.firings == [Firing(BREACH, 0, minutes(120)), Firing(1, 0, minutes(120))]
    assert schedule.progress == {"0": 1, BREACH: 1, "1": 1}
    assert schedule.next_at is None  # nothing left to fire


def test_after_everything_fired_nothing_fires() -> None:
    schedule = due_firings(RESPONSE, START, {"0": 1, BREACH: 1, "1": 1}, minutes(600))
    assert schedule.firings == []
    assert schedule.next_at is None


def test_one_off_steps_missed_while_down_fire_only_the_latest() -> None:
    # the service was down from before the warning until after the deadline
    schedule = due_firings(RESPONSE, START, {}, minutes(150))
    assert schedule.firings == [
        Firing(0, 0, minutes(90), skipped=True),  # a "75 % used" notice after the breach would mislead
        Firing(BREACH, 0, minutes(120)),
        Firing(1, 0, minutes(120)),
    ]
    # the skipped step counts as handled: it never comes back
    assert schedule.progress == {"0": 1, BREACH: 1, "1": 1}
    assert schedule.next_at is None
    assert due_firings(RESPONSE, START, schedule.progress, minutes(151)).firings == []


def test_the_director_is_told_at_once_then_every_15_minutes() -> None:
    first = due_firings(DIRECTOR, START, {}, START)
    assert first.firings == [Firing(0, 0, START)]
    assert first.progress == {"0": 1}
    assert first.next_at == minutes(15)
    assert due_firings(DIRECTOR, START, first.progress, minutes(14)).firings == []
    second = due_firings(DIRECTOR, START, first.progress, minutes(15))
    assert second.firings == [Firing(0, 1, minutes(15))]
    assert second.progress == {"0": 2}
    assert second.next_at == minutes(30)


def test_a_repeat_missed_while_down_fires_once_for_the_latest() -> None:
    after_first = {"0": 1}
    schedule = due_firings(DIRECTOR, START, after_first, minutes(50))  # repeats at 15, 30, 45 were missed
    assert schedule.firings == [Firing(0, 3, minutes(45))]
    assert schedule.progress == {"0": 4}
    assert schedule.next_at == minutes(60)
    # a tick just after fires nothing; the next repeat is the 4th
    again = due_firings(DIRECTOR, START, schedule.progress, minutes(59))
    assert again.firings == [] and again.next_at == minutes(60)
    assert due_firings(DIRECTOR, START, schedule.progress, minutes(60)).firings == [Firing(0, 4, minutes(60))]


def test_a_repeating_step_goes_on_past_the_deadline_next_to_the_breach() -> None:
    progress = {"0": 8}  # told at 0, 15, ..., 105
    schedule = due_firings(DIRECTOR, START, progress, minutes(120) + timedelta(seconds=1))
    # the repeat is no one-off: it is not skipped beside the escalation
    assert schedule.firings == [Firing(BREACH, 0, minutes(120)), Firing(0, 8, minutes(120)), Firing(1, 0, minutes(120))]
    assert schedule.progress == {"0": 9, BREACH: 1, "1": 1}
    assert schedule.next_at == minutes(135)  # until the director acknowledges (the timer is met)


def test_due_firings_does_not_change_the_progress_it_is_given() -> None:
    progress = {"0": 1}
    due_firings(RESPONSE, START, progress, minutes(200))
    assert progress == {"0": 1}


def test_the_default_policies_from_the_settings() -> None:
    by_kind = {p.kind: p for p in policies_from_settings(Settings())}
    assert by_kind["response"].due_after == timedelta(hours=2)
    assert by_kind["statement"].due_after == timedelta(hours=24)
    assert [(s.at, s.notify, s.repeat) for s in by_kind["response"].steps] == [
        (0.75, ("brand_lead",), None),
        (1.0, ("director",), None),
    ]
    director = by_kind["director_report"]
    assert director.due_after == timedelta(hours=2)
    assert director.applies_to("major") and not director.applies_to("serious")
    assert not director.applies_to("major", "source")  # crawler trouble runs no crisis clock
    assert [(s.at, s.repeat) for s in director.steps] == [(0, timedelta(minutes=15)), (1.0, None)]
    # the statement clock warns at 18 h of 24
    assert due_firings(by_kind["statement"], START, {}, START + timedelta(hours=18)).firings == [
        Firing(0, 0, START + timedelta(hours=18))
    ]


# --- sla_status ----------------------------------------------------------------------------

DUE = minutes(120)


def test_status_pending_before_the_deadline() -> None:
    assert sla_status(DUE, None, None, minutes(119)) == "pending"


def test_status_met_in_time() -> None:
    assert sla_status(DUE, minutes(100), None, minutes(500)) == "met"
    assert sla_status(DUE, DUE, None, minutes(500)) == "met"  # on the deadline is in time


def test_status_met_late_is_breached() -> None:
    assert sla_status(DUE, minutes(121), None, minutes(500)) == "breached"


def test_status_past_due_is_breached() -> None:
    assert sla_status(DUE, None, None, minutes(121)) == "breached"


def test_status_cancelled_before_the_deadline_does_not_apply() -> None:
    assert sla_status(DUE, None, minutes(60), minutes(500)) is None


def test_status_cancelled_after_the_deadline_stays_breached() -> None:
    assert sla_status(DUE, None, minutes(130), minutes(500)) == "breached"


def test_the_schedule_and_the_status_agree_at_the_deadline_instant() -> None:
    breach_fired = any(f.step == BREACH for f in due_firings(RESPONSE, START, {"0": 1}, DUE).firings)
    assert breach_fired == (sla_status(DUE, None, None, DUE) == "breached")
