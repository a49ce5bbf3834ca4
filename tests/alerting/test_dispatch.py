"""Notices: routing, the notification log, delivery with retries, over a real HTTP receiver and
a real SMTP server, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import email
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email import policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from support import Receiver, free_port, webhook_receiver
from yuqing.accounts import add_user
from yuqing.alerting import timeline
from yuqing.alerting.dispatch import Dispatcher, Notice, Recipient, recipients
from yuqing.alerting.feed import Feed
from yuqing.alerting.incidents import IncidentService
from yuqing.alerting.notify.channels import build_notifier
from yuqing.alerting.rules import NegativeBrandPost
from yuqing.alerting.sla import SlaPolicy
from yuqing.clock import FixedClock
from yuqing.post import Analysis
from yuqing.settings import ChannelSettings, NotifySettings
from yuqing.storage.database import migrate, session_factory
from yuqing.storage.models import Incident, Notification

BRAND = "星河电器"

# --- routing: a pure function ------------------------------------------------------------------


def email_channel(**options: Any) -> ChannelSettings:
    return ChannelSettings(kind="email", smtp_host="127.0.0.1", sender="舆情监测 <yq@brand.cn>", **options)


CHANNELS = {
    "mail": email_channel(roles=["brand_lead", "director"], to=["pr@brand.cn"]),
    "wecom-brand": ChannelSettings(
        kind="wecom", url="http://127.0.0.1:9/hook", roles=["brand", "brand_lead"], severities=["serious", "major"]
    ),
    "ding-director": ChannelSettings(
        kind="dingtalk", url="http://127.0.0.1:9/robot", roles=["director"], severities=["major"]
    ),
}
EMAILS = {
    "brand": ["b@brand.cn"],
    "brand_lead": ["lead@brand.cn"],
    "director": ["boss@brand.cn", "lead@brand.cn"],  # one person in two roles
}


def notice(roles: tuple[str, ...], severity: str, incident_id: int = 1, reason: str = "opened") -> Notice:
    return Notice(incident_id, reason, roles, severity, f"【{severity}】新舆情事件", "品牌：星河电器")


def test_a_general_notice_for_the_brand_team() -> None:
    found = recipients(notice(("brand", "brand_lead"), "general"), CHANNELS, EMAILS)
    assert found == [
        Recipient("console:brand", "console", "brand"),
        Recipient("console:brand_lead", "console", "brand_lead"),
        # the mail channel serves brand_lead, not brand: b@brand.cn gets nothing
        Recipient("email:lead@brand.cn", "mail", "brand_lead"),
        Recipient("email:pr@brand.cn", "mail", None),  # the channel's own `to`
        # the WeCom group takes serious and major only
    ]


def test_a_major_notice_reaches_every_matching_channel_each_address_once() -> None:
    found = recipients(notice(("director", "brand_lead"), "major"), CHANNELS, EMAILS)
    assert [r.address for r in found] == [
        "console:director",
        "console:brand_lead",
        "email:boss@brand.cn",
        "email:lead@brand.cn",  # director and brand_lead: once
        "email:pr@brand.cn",
        "wecom:wecom-brand",
        "dingtalk:ding-director",
    ]
    assert [r.channel for r in found][2:] == ["mail", "mail", "mail", "wecom-brand", "ding-director"]
    assert len({r.address for r in found}) == len(found)


def test_group_bots_route_by_role_and_severity() -> None:
    serious = [r.address for r in recipients(notice(("director",), "serious"), CHANNELS, EMAILS)]
    assert "dingtalk:ding-director" not in serious  # severity major only
    assert "wecom:wecom-brand" not in serious  # not the director's group
    assert "wecom:wecom-brand" in [r.address for r in recipients(notice(("brand",), "serious"), CHANNELS, EMAILS)]


def test_a_to_address_in_two_email_channels_is_told_once() -> None:
    channels = {"mail": email_channel(to=["pr@brand.cn"]), "mail2": email_channel(to=["pr@brand.cn", "x@brand.cn"])}
    found = recipients(notice(("brand",), "general"), channels, {"brand": ["pr@brand.cn"]})
    assert [(r.address, r.channel) for r in found] == [
        ("console:brand", "console"),
        ("email:pr@brand.cn", "mail"),
        ("email:x@brand.cn", "mail2"),
    ]


def test_nobody_outside_the_channels_roles_hears_of_it() -> None:
    channels = {"mail": email_channel(roles=["director"], to=["pr@brand.cn"])}
    assert [r.address for r in recipients(notice(("brand",), "general"), channels, EMAILS)] == ["console:brand"]


# --- the notification log --------------------------------------------------------------------------


@pytest.fixture
def sessions(workflow_engine):
    migrate(workflow_engine)
    return session_factory(workflow_engine)


def open_incident(sessions, at, severity: str = "serious") -> int:
    with sessions.begin() as session:
        incident = Incident(
            group_key=f"brand:{BRAND}", brand=BRAND, title=f"{BRAND}负面舆情：热水器漏电", category="brand",
            severity=severity, state="triggered", rule="negative_brand_post", detected_at=at, last_alert_at=at,
            alert_count=1,
        )  # fmt: skip
        session.add(incident)
        session.flush()
        return incident.id


def rows(sessions, incident_id: int | None = None) -> list[Notification]:
    with sessions() as session:
        query = select(Notification).order_by(Notification.id)
        if incident_id is not None:
            query = query.where(Notification.incident_id == incident_id)
        return list(session.scalars(query))


def entries(sessions, incident_id: int, *kinds: str) -> list[dict]:
    with sessions() as session:
        return [e.details for e in timeline.entries(session, incident_id) if e.kind in kinds]


def test_enqueueing_twice_logs_one_row_per_recipient_and_reason(sessions, now) -> None:
    incident_id = open_incident(sessions, now)
    dispatcher = Dispatcher(sessions, NotifySettings(channels={"mail": email_channel(to=["pr@brand.cn"])}), {}, Feed())
    first = notice(("brand", "brand_lead"), "serious", incident_id)
    with sessions.begin() as session:
        assert len(dispatcher.enqueue(session, first, now)) == 3
    with sessions.begin() as session:
        assert dispatcher.enqueue(session, first, now + timedelta(minutes=1)) == []  # a retried tick, a restart
    with sessions.begin() as session:  # twice in one transaction
        again = notice(("brand",), "serious", incident_id, reason="response:0:0")
        assert len(dispatcher.enqueue(session, again, now)) == 2
        assert dispatcher.enqueue(session, again, now) == []
    logged = [(r.reason, r.recipient, r.status, r.attempts) for r in rows(sessions, incident_id)]
    assert logged == [
        ("opened", "console:brand", "pending", 0),
        ("opened", "console:brand_lead", "pending", 0),
        ("opened", "email:pr@brand.cn", "pending", 0),
        ("response:0:0", "console:brand", "pending", 0),
        ("response:0:0", "email:pr@brand.cn", "pending", 0),
    ]
    assert all(r.next_attempt_at == now for r in rows(sessions, incident_id))


# --- a real HTTP receiver for the group bot ----------------------------------------------------------


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as state:
        yield state


def wecom_dispatcher(sessions, receiver: Receiver, **notify: Any) -> Dispatcher:
    channel = ChannelSettings(kind="wecom", url=receiver.url, roles=["brand_lead"], timeout_seconds=5)
    settings = NotifySettings(channels={"wecom-brand": channel}, retry_seconds=30, **notify)
    return Dispatcher(sessions, settings, {"wecom-brand": build_notifier("wecom-brand", channel)}, Feed())


def bot_row(sessions, incident_id: int) -> Notification:
    [row] = [r for r in rows(sessions, incident_id) if r.channel == "wecom-brand"]
    return row


def test_a_failed_notice_is_retried_with_a_doubling_delay_then_sent_once(sessions, receiver, now) -> None:
    incident_id = open_incident(sessions, now)
    dispatcher = wecom_dispatcher(sessions, receiver)
    receiver.answers = [(500, {}), (500, {})]
    with sessions.begin() as session:
        dispatcher.enqueue(session, notice(("brand_lead",), "serious", incident_id), now)

    assert dispatcher.deliver(now) == 1  # the console; the bot failed
    row = bot_row(sessions, incident_id)
    assert (row.status, row.attempts, row.last_error) == ("failed", 1, "wecom: HTTP 500")
    assert row.next_attempt_at == now + timedelta(seconds=30)
    assert row.sent_at is None
    [failed] = entries(sessions, incident_id, "notification_failed")
    assert failed == {
        "recipient": "wecom:wecom-brand", "channel": "wecom-brand", "reason": "opened", "attempt": 1,
        "error": "wecom: HTTP 500", "status": "failed",
    }  # fmt: skip

    assert dispatcher.deliver(now + timedelta(seconds=29)) == 0  # not due yet
    assert len(receiver.bodies) == 1

    assert dispatcher.deliver(now + timedelta(seconds=30)) == 0
    row = bot_row(sessions, incident_id)
    assert (row.status, row.attempts) == ("failed", 2)
    assert row.next_attempt_at == now + timedelta(seconds=30 + 60)  # doubled

    assert dispatcher.deliver(now + timedelta(seconds=90)) == 1
    row = bot_row(sessions, incident_id)
    assert (row.status, row.attempts, row.last_error, row.next_attempt_at) == ("sent", 3, None, None)
    assert row.sent_at == now + timedelta(seconds=90)
    assert [e["attempt"] for e in entries(sessions, incident_id, "notification_failed")] == [1, 2]
    sent = [e for e in entries(sessions, incident_id, "notification") if e["channel"] == "wecom-brand"]
    assert sent == [{"recipient": "wecom:wecom-brand", "channel": "wecom-brand", "reason": "opened", "attempt": 3}]
    assert len(receiver.bodies) == 3
    assert "【serious】新舆情事件" in receiver.bodies[-1]["markdown"]["content"]

    for later in (91, 600, 3600):
        assert dispatcher.deliver(now + timedelta(seconds=later)) == 0
    assert len(receiver.bodies) == 3  # never sent twice
    assert [r.status for r in rows(sessions, incident_id)] == ["sent", "sent"]


def test_a_permanent_error_gives_up_at_once(sessions, receiver, now) -> None:
    incident_id = open_incident(sessions, now)
    dispatcher = wecom_dispatcher(sessions, receiver)
    receiver.answers = [(200, {"errcode": 93000, "errmsg": "invalid webhook url"})]
    with sessions.begin() as session:
        dispatcher.enqueue(session, notice(("brand_lead",), "serious", incident_id), now)
    dispatcher.deliver(now)
    row = bot_row(sessions, incident_id)
    assert (row.status, row.attempts, row.next_attempt_at) == ("gave_up", 1, None)
    assert row.last_error == "wecom: error 93000 invalid webhook url"
    [failed] = entries(sessions, incident_id, "notification_failed")
    assert failed["status"] == "gave_up"
    assert dispatcher.deliver(now + timedelta(days=1)) == 0
    assert len(receiver.bodies) == 1


def test_retries_give_up_after_max_attempts(sessions, receiver, now) -> None:
    incident_id = open_incident(sessions, now)
    dispatcher = wecom_dispatcher(sessions, receiver, max_attempts=2)
    receiver.answers = [(500, {}), (503, {}), (500, {})]
    with sessions.begin() as session:
        dispatcher.enqueue(session, notice(("brand_lead",), "serious", incident_id), now)
    dispatcher.deliver(now)
    dispatcher.deliver(now + timedelta(seconds=30))
    row = bot_row(sessions, incident_id)
    assert (row.status, row.attempts, row.last_error) == ("gave_up", 2, "wecom: HTTP 503")
    assert dispatcher.deliver(now + timedelta(days=1)) == 0
    assert len(receiver.bodies) == 2


def test_a_channel_removed_from_the_config_gives_up(sessions, receiver, now) -> None:
    incident_id = open_incident(sessions, now)
    with sessions.begin() as session:
        wecom_dispatcher(sessions, receiver).enqueue(session, notice(("brand_lead",), "serious", incident_id), now)
    console_only = Dispatcher(sessions, NotifySettings(), {}, Feed())
    assert console_only.deliver(now) == 1
    row = bot_row(sessions, incident_id)
    assert row.status == "gave_up"
    assert row.last_error == "channel 'wecom-brand' is no longer configured"
    assert receiver.bodies == []


def test_the_console_notice_reaches_the_live_feed(sessions, now) -> None:
    incident_id = open_incident(sessions, now)
    feed = Feed()

    async def deliver_and_listen() -> tuple[int, asyncio.Queue]:
        events = feed.subscribe()  # the console's event stream, on the server's loop
        dispatcher = Dispatcher(sessions, NotifySettings(), {}, feed)
        with sessions.begin() as session:
            dispatcher.enqueue(session, notice(("brand", "director"), "major", incident_id), now)
        sent = await asyncio.to_thread(dispatcher.deliver, now)  # the ticker's worker thread
        await asyncio.sleep(0)  # let the loop run what the thread handed it
        return sent, events

    sent, events = asyncio.run(deliver_and_listen())
    assert sent == 2
    got = [events.get_nowait() for _ in range(2)]
    assert [e["roles"] for e in got] == [["brand"], ["director"]]
    assert got[0]["title"] == "【major】新舆情事件" and got[0]["type"] == "notice"
    assert events.empty()


def test_two_dispatchers_never_send_one_notice_twice(sessions, receiver, now) -> None:
    incident_id = open_incident(sessions, now)
    first, second = wecom_dispatcher(sessions, receiver), wecom_dispatcher(sessions, receiver)
    with sessions.begin() as session:
        first.enqueue(session, notice(("brand_lead",), "serious", incident_id), now)
    receiver.on_request = lambda: second.deliver(now)  # the other instance ticks while the first sends
    first.deliver(now)
    assert len(receiver.bodies) == 1


# --- e-mail end to end through a real SMTP server ------------------------------------------------------


@dataclass
class Mailbox:
    mails: list[tuple[list[str], bytes]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.mails.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(raw, policy=policy.default) for rcpt, raw in self.mails if address in rcpt]


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


def mail_setup(sessions, port: int, now, to: list[str]) -> tuple[IncidentService, Dispatcher]:
    channel = email_channel(smtp_port=port, roles=["brand_lead", "director"], to=to, timeout_seconds=5)
    settings = NotifySettings(channels={"mail": channel}, console_url="http://yq.brand.cn:8000")
    dispatcher = Dispatcher(sessions, settings, {"mail": build_notifier("mail", channel)}, Feed())
    with sessions.begin() as session:
        clock = FixedClock(now)
        add_user(session, clock, "lead", "brand_lead", "pw-lead", email="lead@brand.cn")
        add_user(session, clock, "brand", "brand", "pw-brand", email="brand@brand.cn")  # not on the channel
        add_user(session, clock, "boss", "director", "pw-boss", email="boss@brand.cn")  # not told of an opening
    service = IncidentService(sessions, [SlaPolicy(kind="response", due_after=timedelta(hours=2))], dispatcher)
    return service, dispatcher


def open_by_rule(service: IncidentService, make_post, now) -> int:
    analysis = Analysis(brands=[BRAND], sentiment="negative", negative_score=0.9, severity="serious")
    [incident_id] = service.apply(
        NegativeBrandPost().evaluate(make_post("1", "星河热水器漏电", analysis=analysis), now)
    )
    return incident_id


def test_a_user_of_a_notified_role_receives_the_chinese_notice_by_mail(sessions, smtp, make_post, now) -> None:
    box, port = smtp
    service, dispatcher = mail_setup(sessions, port, now, to=[])
    incident_id = open_by_rule(service, make_post, now)
    assert dispatcher.deliver(now) == 3  # console:brand, console:brand_lead, email:lead@brand.cn
    assert [rcpt for rcpt, _ in box.mails] == [["lead@brand.cn"]]
    [mail] = box.to("lead@brand.cn")
    assert mail["Subject"] == f"【较大】新舆情事件 #{incident_id}：{BRAND}负面舆情：星河热水器漏电"
    body = mail.get_content()
    assert f"品牌：{BRAND}" in body
    assert "发现时间：11-28 10:00" in body
    assert f"查看事件详情：http://yq.brand.cn:8000/#/incidents/{incident_id}" in body
    row = next(r for r in rows(sessions, incident_id) if r.channel == "mail")
    assert (row.recipient, row.role, row.status) == ("email:lead@brand.cn", "brand_lead", "sent")
    assert dispatcher.deliver(now + timedelta(hours=1)) == 0
    assert len(box.mails) == 1


def test_a_channel_to_address_receives_each_notice_once(sessions, smtp, make_post, now) -> None:
    box, port = smtp
    service, dispatcher = mail_setup(sessions, port, now, to=["pr@brand.cn"])
    open_by_rule(service, make_post, now)
    dispatcher.deliver(now)
    assert len(box.to("lead@brand.cn")) == 1
    assert len(box.to("pr@brand.cn")) == 1
