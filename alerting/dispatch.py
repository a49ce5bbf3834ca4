"""Notices: whom to tell (routing), what was told (the notification log), and delivery.

Alertmanager's notify pipeline, one stage one job:

1. ``recipients``: a notice for some roles and a severity fans out to the console
   (one recipient per role), to every e-mail address of those roles' users on each
   e-mail channel, and to each group bot whose roles and severities match;
2. ``Dispatcher.enqueue`` writes one ``notifications`` row per incident, recipient
   and reason, in the caller's transaction; the unique key makes a second enqueue
   of the same notice (a retried tick, a restart) a no-op;
3. ``Dispatcher.deliver`` claims the rows that are due (``sending``, with a lease),
   sends them outside any transaction, then records the outcome and a timeline
   entry; a failure is retried with a
   doubling delay until ``max_attempts``, then the row is ``gave_up`` — visible
   in the timeline and in ``GET /api/notifications``.

A crash between a send and its record can repeat that one send (at least once);
nothing else can.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from yuqing.settings import ChannelSettings, NotifySettings
from yuqing.storage.models import Notification, User

from . import timeline
from .feed import Feed
from .notify.base import DeliveryError, Message, Notifier

log = logging.getLogger(__name__)

CONSOLE = "console"
DUE_STATES = ("pending", "failed", "sending")  # "sending" is due again only once its lease has ended
LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class Notice:
    """What to tell, before it is fanned out to recipients."""

    incident_id: int
    reason: str
    roles: tuple[str, ...]
    severity: str
    title: str
    text: str


@dataclass(frozen=True)
class Recipient:
    address: str  # the nflog key: console:director, email:wang@brand.cn, wecom:brand-group
    channel: str  # console, or the channel's name in [notify.channels]
    role: str | None


def recipients(
    notice: Notice, channels: Mapping[str, ChannelSettings], emails_by_role: Mapping[str, Sequence[str]]
) -> list[Recipient]:
    """Routing, a pure function: who receives this notice, each once."""
    found: dict[str, Recipient] = {}
    for role in notice.roles:
        found.setdefault(f"{CONSOLE}:{role}", Recipient(f"{CONSOLE}:{role}", CONSOLE, role))
    for name, channel in channels.items():
        roles = [r for r in notice.roles if r in channel.roles]
        if notice.severity not in channel.severities or not roles:
            continue
        if channel.kind == "email":
            for role in roles:
                for address in emails_by_role.get(role, ()):
                    found.setdefault(f"email:{address}", Recipient(f"email:{address}", name, role))
            for address in channel.to:
                found.setdefault(f"email:{address}", Recipient(f"email:{address}", name, None))
        else:
            key = f"{channel.kind}:{name}"
            found.setdefault(key, Recipient(key, name, None))
    return list(found.values())


class ConsoleNotifier:
    """Delivers to the console: the row is the inbox, the live feed the doorbell."""

    name = CONSOLE
    kind = CONSOLE

    def __init__(self, feed: Feed) -> None:
        self.feed = feed

    def send(self, message: Message, to: Sequence[str] = ()) -> None:
        self.feed.publish({"type": "notice", "title": message.title, "text": message.text, "roles": list(to)})


class Dispatcher:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        settings: NotifySettings,
        notifiers: Mapping[str, Notifier],
        feed: Feed,
    ) -> None:
        self._sessions = sessions
        self.settings = settings
        self.notifiers: dict[str, Notifier] = {CONSOLE: ConsoleNotifier(feed), **notifiers}

    def enqueue(self, session: Session, notice: Notice, at: datetime) -> list[Notification]:
        """Log the notice for each recipient not yet told this reason; returns the new rows."""
        emails: dict[str, list[str]] = {}
        if any(c.kind == "email" for c in self.settings.channels.values()):
            for role, email in session.execute(
                select(User.role, User.email).where(User.role.in_(notice.roles), User.email.is_not(None))
            ):
                emails.setdefault(role, []).append(email)
        wanted = recipients(notice, self.settings.channels, emails)
        # what this transaction logged already (not flushed yet), and what the database holds
        logged: set[tuple[int, str, str]] = session.info.setdefault("nflog_keys", set())
        with session.no_autoflush:
            known = set(
                session.scalars(
                    select(Notification.recipient).where(
                        Notification.incident_id == notice.incident_id, Notification.reason == notice.reason
                    )
                )
            )
        known |= {r for i, reason, r in logged if i == notice.incident_id and reason == notice.reason}
        logged.update((notice.incident_id, notice.reason, r.address) for r in wanted)
        rows = [
            Notification(
                incident_id=notice.incident_id,
                recipient=r.address,
                reason=notice.reason,
                channel=r.channel,
                role=r.role,
                title=notice.title[:255],
                body=notice.text,
                severity=notice.severity,
                status="pending",
                attempts=0,
                created_at=at,
                next_attempt_at=at,
            )
            for r in wanted
            if r.address not in known
        ]
        session.add_all(rows)
        return rows

    def deliver(self, now: datetime, batch: int = 200) -> int:
        """Send everything that is due, a batch at a time; returns how many were sent."""
        sent = 0
        while True:
            due = self._claim(now, batch)
            # the console is in-process and cannot half-fail: its outcomes are kept in one
            # transaction a batch; a channel over the network is recorded right after each send
            console: list[tuple[int, DeliveryError | None]] = []
            for row in due:
                error = self._send(row)
                sent += error is None
                if row.channel == CONSOLE:
                    console.append((row.id, error))
                else:
                    self._record([(row.id, error)], now)
            self._record(console, now)
            if len(due) < batch:
                return sent

    def _claim(self, now: datetime, batch: int) -> list[Notification]:
        """Take the due rows for this sender: ``sending`` until ``now + LEASE`` (``FOR UPDATE SKIP
        LOCKED`` where the database has it), so another instance does not send them too. A row
        whose sender died mid-send is due again when its lease ends."""
        with self._sessions.begin() as session:
            due = list(
                session.scalars(
                    select(Notification)
                    .where(Notification.status.in_(DUE_STATES), Notification.next_attempt_at <= now)
                    .order_by(Notification.next_attempt_at, Notification.id)
                    .limit(batch)
                    .with_for_update(skip_locked=True)
                )
            )
            for row in due:
                row.status, row.next_attempt_at = "sending", now + LEASE
            session.flush()
            session.expunge_all()
        return due

    def _send(self, row: Notification) -> DeliveryError | None:
        notifier = self.notifiers.get(row.channel)
        if notifier is None:
            return DeliveryError(f"channel {row.channel!r} is no longer configured", retry=False)
        link = (
            f"{self.settings.console_url.rstrip('/')}/#/incidents/{row.incident_id}"
            if self.settings.console_url
            else None
        )
        message = Message(title=row.title, text=row.body, severity=row.severity, link=link)
        try:
            notifier.send(message, _addresses(row))
        except DeliveryError as exc:
            return exc
        except Exception as exc:  # a channel bug must not stop the others
            log.exception("notifier %s failed", row.channel)
            return DeliveryError(f"{type(exc).__name__}: {exc}")
        return None

    def _record(self, outcomes: list[tuple[int, DeliveryError | None]], now: datetime) -> None:
        if not outcomes:
            return
        with self._sessions.begin() as session:
            rows = {
                n.id: n
                for n in session.scalars(select(Notification).where(Notification.id.in_([i for i, _ in outcomes])))
            }
            timeline.preload(session, (n.incident_id for n in rows.values()))
            for row_id, error in outcomes:
                row = rows.get(row_id)
                if row is not None and row.status == "sending":
                    self._outcome(session, row, error, now)

    def _outcome(self, session: Session, row: Notification, error: DeliveryError | None, now: datetime) -> None:
        row.attempts += 1
        details = {"recipient": row.recipient, "channel": row.channel, "reason": row.reason, "attempt": row.attempts}
        if error is None:
            row.status, row.sent_at, row.next_attempt_at, row.last_error = "sent", now, None, None
            timeline.record(session, row.incident_id, "notification", now, **details)
            return
        row.last_error = str(error)[:500]
        if error.retry and row.attempts < self.settings.max_attempts:
            row.status = "failed"
            row.next_attempt_at = now + timedelta(seconds=self.settings.retry_seconds * 2 ** (row.attempts - 1))
        else:
            row.status, row.next_attempt_at = "gave_up", None
        log.warning("notice to %s failed (attempt %d): %s", row.recipient, row.attempts, error)
        timeline.record(
            session, row.incident_id, "notification_failed", now, error=row.last_error, status=row.status, **details
        )


def _addresses(row: Notification) -> list[str]:
    """What ``Notifier.send`` gets as ``to``: the address for e-mail, the role for the console."""
    if row.recipient.startswith("email:"):
        return [row.recipient.removeprefix("email:")]
    return [row.role or ""] if row.channel == CONSOLE else []
