"""The e-mail channel against a real SMTP server (aiosmtpd) on a loopback port."""

from __future__ import annotations

import datetime
import email
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from support import free_port
from yuqing.alerting.notify.base import DeliveryError, Message
from yuqing.alerting.notify.channels import build_notifier
from yuqing.alerting.notify.email import EmailNotifier
from yuqing.settings import ChannelSettings

MESSAGE = Message(
    title="【重大】星河电器负面舆情：热水器漏电",
    text="品牌：星河电器\n负面帖子：12 条\n摘要：多名用户反映热水器漏电",
    severity="major",
    link="http://yq.example:8000/incidents/7",
)


@dataclass
class Mail:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.raw, policy=policy.default)  # type: ignore[return-value]


@dataclass
class Handler:
    """Records each mail; refuses 'nobody@…' for good (550) and 'busy@…' for now (450)."""

    mails: list[Mail] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        if address.startswith("nobody@"):
            return "550 5.1.1 no such user"
        if address.startswith("busy@"):
            return "450 4.2.1 mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.mails.append(Mail(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        if isinstance(data, LoginPassword):
            login, password = data.login.decode(), data.password.decode()
            self.logins.append((login, password))
            return AuthResult(success=password == "s3cret-pw", handled=False)  # not handled: aiosmtpd answers 535
        return AuthResult(success=False, handled=False)


@pytest.fixture
def handler() -> Handler:
    return Handler()


@pytest.fixture
def smtp_port(handler: Handler) -> Iterator[int]:
    """A plain SMTP server that also takes AUTH without TLS."""
    yield from _serve(handler, authenticator=handler.authenticate, auth_require_tls=False)


def _serve(handler: Handler, **options: Any) -> Iterator[int]:
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def channel(port: int, **options: Any) -> EmailNotifier:
    settings = ChannelSettings(
        kind="email",
        smtp_host="127.0.0.1",
        smtp_port=port,
        sender="舆情监测 <yq@example.com>",
        timeout_seconds=options.pop("timeout_seconds", 5),
        **options,
    )
    notifier = build_notifier("mail", settings)
    assert isinstance(notifier, EmailNotifier)
    return notifier


def test_sends_a_chinese_mail_to_all_recipients(handler: Handler, smtp_port: int) -> None:
    # the channel's own `to` is routed as recipients of their own (dispatch.recipients), not added here
    notifier = channel(smtp_port, to=["pr@example.com"])
    notifier.send(MESSAGE, to=["lead@example.com", "legal@example.com", "pr@example.com", "Lead@example.com"])
    [mail] = handler.mails
    assert mail.mail_from == "yq@example.com"
    assert mail.rcpt_tos == ["lead@example.com", "legal@example.com", "pr@example.com"]  # each once
    assert b"=?utf-8?" in mail.raw.split(b"\r\n\r\n", 1)[0]  # the subject is encoded, not raw UTF-8
    message = mail.message
    assert message["Subject"] == MESSAGE.title
    assert message["From"].addresses[0].display_name == "舆情监测"
    assert message["To"] == "lead@example.com, legal@example.com, pr@example.com"
    assert message["Message-ID"].endswith("@example.com>") and message["Date"]
    assert message.get_content_type() == "text/plain" and message.get_content_charset() == "utf-8"
    body = message.get_content()
    assert body == f"{MESSAGE.text}\n\n查看事件详情：{MESSAGE.link}\n"
    assert handler.logins == []  # no smtp_user: no login


def test_logs_in_when_a_user_is_set(handler: Handler, smtp_port: int) -> None:
    channel(smtp_port, smtp_user="yq", smtp_password="s3cret-pw").send(MESSAGE, to=["lead@example.com"])
    assert handler.logins == [("yq", "s3cret-pw")]
    assert len(handler.mails) == 1


def test_a_wrong_password_is_permanent(handler: Handler, smtp_port: int) -> None:
    with pytest.raises(DeliveryError, match="SMTP 535") as caught:
        channel(smtp_port, smtp_user="yq", smtp_password="wrong").send(MESSAGE, to=["lead@example.com"])
    assert caught.value.retry is False
    assert handler.mails == []


def test_a_non_ascii_password_is_a_clear_permanent_error(smtp_port: int) -> None:
    with pytest.raises(DeliveryError, match="ASCII") as caught:
        channel(smtp_port, smtp_user="yq", smtp_password="秘密").send(MESSAGE, to=["lead@example.com"])
    assert caught.value.retry is False


def test_a_rejected_recipient_is_permanent(handler: Handler, smtp_port: int) -> None:
    with pytest.raises(DeliveryError, match="nobody@example.com") as caught:
        channel(smtp_port).send(MESSAGE, to=["nobody@example.com"])
    assert caught.value.retry is False
    assert "550" in str(caught.value)


def test_a_busy_mailbox_is_worth_retrying(handler: Handler, smtp_port: int) -> None:
    with pytest.raises(DeliveryError, match="450") as caught:
        channel(smtp_port).send(MESSAGE, to=["busy@example.com"])
    assert caught.value.retry is True


def test_some_recipients_refused_the_others_get_it(handler: Handler, smtp_port: int) -> None:
    with pytest.raises(DeliveryError, match="refused 1 of 2 recipients: nobody@example.com") as caught:
        channel(smtp_port).send(MESSAGE, to=["lead@example.com", "nobody@example.com"])
    assert caught.value.retry is False
    assert handler.mails[0].rcpt_tos == ["lead@example.com"]


def test_no_recipients_is_permanent(smtp_port: int) -> None:
    with pytest.raises(DeliveryError, match="no recipients") as caught:
        channel(smtp_port).send(MESSAGE)
    assert caught.value.retry is False


def test_an_unreachable_server_is_worth_retrying() -> None:
    with pytest.raises(DeliveryError) as caught:
        channel(free_port()).send(MESSAGE, to=["lead@example.com"])
    assert caught.value.retry is True
    assert "Connection refused" in str(caught.value) or "ConnectionRefused" in str(caught.value)


def test_a_silent_server_times_out_and_is_worth_retrying() -> None:
    with socket.socket() as silent:  # accepts the connection (backlog), never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        with pytest.raises(DeliveryError, match="no answer within 0.5s") as caught:
            channel(silent.getsockname()[1], timeout_seconds=0.5).send(MESSAGE, to=["lead@example.com"])
    assert caught.value.retry is True


def test_starttls_against_a_server_without_it_is_permanent(smtp_port: int) -> None:
    with pytest.raises(DeliveryError, match="STARTTLS") as caught:
        channel(smtp_port, smtp_security="starttls").send(MESSAGE, to=["lead@example.com"])
    assert caught.value.retry is False


# --- TLS: a self-signed certificate the client trusts through SSL_CERT_FILE --------------------


@pytest.fixture
def server_tls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ssl.SSLContext:
    cert, key = _self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # read by ssl.create_default_context()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def test_starttls_then_login(handler: Handler, server_tls: ssl.SSLContext) -> None:
    for port in _serve(handler, tls_context=server_tls, require_starttls=True, authenticator=handler.authenticate):
        channel(port, smtp_security="starttls", smtp_user="yq", smtp_password="s3cret-pw").send(
            MESSAGE, to=["lead@example.com"]
        )
    assert handler.logins == [("yq", "s3cret-pw")]
    assert handler.mails[0].message["Subject"] == MESSAGE.title


def test_implicit_tls(handler: Handler, server_tls: ssl.SSLContext) -> None:
    for port in _serve(handler, ssl_context=server_tls):
        channel(port, smtp_security="ssl").send(MESSAGE, to=["lead@example.com"])
    assert handler.mails[0].rcpt_tos == ["lead@example.com"]


def test_an_untrusted_certificate_is_permanent(
    handler: Handler, server_tls: ssl.SSLContext, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    other, _ = _self_signed(tmp_path / "other")
    monkeypatch.setenv("SSL_CERT_FILE", str(other))
    for port in _serve(handler, ssl_context=server_tls):
        with pytest.raises(DeliveryError, match="certificate") as caught:
            channel(port, smtp_security="ssl").send(MESSAGE, to=["lead@example.com"])
    assert caught.value.retry is False
    assert handler.mails == []


def _self_signed(directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path
