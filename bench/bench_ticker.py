"""How many open SLA timers the ticker handles within one simulated minute of their deadlines.

Run: ``.venv/bin/python bench/bench_ticker.py [N incidents] [--postgres URL]`` (default 2,000, SQLite).

N incidents are opened at the same moment, each with its response and statement
clocks (2 h and 24 h). The clock is moved to 1 min past the response deadline
and the ticker runs until nothing is left to do: N breaches, N escalations to
the director, N notices logged and delivered to the console (a timeline entry
for each of the three), in the ticker's own transactions. We time that, and as
the baseline, in the same run on a fresh database of the same shape, the bare
writes such a tick must make at the least (the timer updates, the timeline rows
and the notification rows, each table written with one executemany in one
transaction): the ratio says what the ticker's bookkeeping costs over the
database's floor.

"Within one simulated minute": at scale 1 a simulated minute is a real one, so the
answer is the timers handled per second x 60 (in a drill at scale N, divide by N).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import bindparam, insert, select, update

from yuqing.alerting.dispatch import Dispatcher
from yuqing.alerting.feed import Feed
from yuqing.alerting.incidents import IncidentService
from yuqing.alerting.sla import policies_from_settings
from yuqing.alerting.ticker import Ticker
from yuqing.post import SHANGHAI
from yuqing.settings import NotifySettings, load_settings
from yuqing.storage.database import make_engine, migrate, session_factory
from yuqing.storage.models import Base, Notification, TimelineEntry, Timer

START = datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)


def fresh(url: str | None, folder: Path, name: str):  # noqa: ANN201 - a sessionmaker
    engine = make_engine(url or f"sqlite:///{folder / name}.db")
    if url:  # PostgreSQL: start from an empty schema
        Base.metadata.drop_all(engine)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
            conn.exec_driver_sql("DROP FUNCTION IF EXISTS timeline_append_only() CASCADE")
    migrate(engine)
    return engine, session_factory(engine)


def open_incidents(sessions, incidents: IncidentService, n: int) -> None:  # noqa: ANN001
    for start in range(0, n, 500):
        with sessions.begin() as session:
            for i in range(start, min(n, start + 500)):
                incidents.open_manual(
                    session, title=f"基准事件 {i}", severity="general", brand="星河电器",
                    summary=None, post_keys=[], actor="bench", at=START,
                )  # fmt: skip


def run_ticker(url: str | None, folder: Path, n: int) -> tuple[float, int, int]:
    settings = load_settings()
    engine, sessions = fresh(url, folder, "ticker")
    policies = policies_from_settings(settings)
    dispatcher = Dispatcher(sessions, NotifySettings(), {}, Feed())
    incidents = IncidentService(sessions, policies, dispatcher)
    open_incidents(sessions, incidents, n)
    ticker = Ticker(sessions, policies, incidents, dispatcher)
    ticker.tick(START + timedelta(seconds=1))  # the "opened" notices and the clocks' first look: not timed
    ticker.tick(START + timedelta(hours=1, minutes=31))  # the 75 % warnings to the brand lead: not timed
    now = START + timedelta(hours=2, minutes=1)
    began = time.perf_counter()
    report = ticker.tick(now)
    took = time.perf_counter() - began
    with sessions() as session:
        breached = session.scalar(
            select(Timer.id).where(Timer.breached_at.is_(None), Timer.kind == "response").limit(1)
        )
    assert breached is None, "a response timer was not handled"
    engine.dispose()
    return took, report.firings, report.sent


def run_floor(url: str | None, folder: Path, n: int) -> float:
    """The least a tick must write for n breached timers, as bare executemany statements."""
    engine, sessions = fresh(url, folder, "floor")
    settings = load_settings()
    dispatcher = Dispatcher(sessions, NotifySettings(), {}, Feed())
    incidents = IncidentService(sessions, policies_from_settings(settings), dispatcher)
    open_incidents(sessions, incidents, n)
    now = START + timedelta(hours=2, minutes=1)
    with sessions() as session:
        pairs = session.execute(select(Timer.id, Timer.incident_id).where(Timer.kind == "response")).all()
    digest = hashlib.sha256(b"x").hexdigest()
    timers = Timer.__table__
    began = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(
            update(timers).where(timers.c.id == bindparam("tid")).values(breached_at=now, next_at=None),
            [{"tid": timer} for timer, _inc in pairs],
        )
        rows = [
            {
                "incident_id": inc,
                "at": now,
                "actor": "system",
                "kind": kind,
                "details": {"clock": "response"},
                "hash": digest,
            }
            for _timer, inc in pairs
            for kind in ("breach", "escalation", "notification")
        ]
        conn.execute(insert(TimelineEntry.__table__), rows)
        conn.execute(
            insert(Notification.__table__),
            [
                {
                    "incident_id": inc,
                    "recipient": "console:director",
                    "reason": "response:1:0",
                    "channel": "console",
                    "role": "director",
                    "title": "t",
                    "body": "b",
                    "severity": "general",
                    "status": "sent",
                    "attempts": 1,
                    "created_at": now,
                    "next_attempt_at": None,
                    "sent_at": now,
                }  # fmt: skip
                for _timer, inc in pairs
            ],
        )
    took = time.perf_counter() - began
    engine.dispose()
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=2000)
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL database to use (it is emptied)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ticker_s, firings, sent = run_ticker(args.postgres, folder, args.n)
        floor_s = run_floor(args.postgres, folder, args.n)
    db = "PostgreSQL" if args.postgres else "SQLite"
    rate = args.n / ticker_s
    print(f"{args.n} response deadlines due at once ({db}), one tick: {firings} clock steps fired, {sent} notices sent")
    print(f"{'':28} {'seconds':>8} {'timers/s':>9}")
    print(f"{'ticker (the real tick)':28} {ticker_s:8.2f} {rate:9.0f}")
    print(f"{'floor (bare executemany)':28} {floor_s:8.2f} {args.n / floor_s:9.0f}")
    print(f"ticker / floor time: {ticker_s / floor_s:.1f}x")
    print(f"within one simulated minute (scale 1): about {int(rate * 60):,} timers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
