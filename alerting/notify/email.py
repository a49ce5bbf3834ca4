"""The e-mail channel: one message over SMTP to all its recipients, with the standard library."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Sequence

from yuqing.settings import ChannelSettings

from .base import DeliveryError, Message


class EmailNotifier:
    """Sends a notice as a UTF-8 plain-text mail (the Chinese subject RFC 2047-encoded).

    Recipients: the addresses given to ``send``, each once. (The channel's ``to`` addresses
    are recipients of their own in the routing, ``alerting/dispatch.py``: one log row each.)
    ``smtp_security``: ``ssl`` connects with TLS, ``starttls`` upgrades the plain
    connection (and fails when the server cannot), ``none`` sends in the clear; the
    server's certificate is checked against the system's CAs. Logs in when
    ``smtp_user`` is set. SMTP answers 5xx (a rejected address, a bad password, a
    refused message) are permanent (``retry=False``); 4xx, timeouts and unreachable
    servers are worth retrying.
    """

    kind = "email"

    def __init__(self, name: str, settings: ChannelSettings) -> None:
        if settings.kind != "email" or not settings.smtp_host or not settings.sender:
            raise ValueError(f"channel {name!r} is not an email channel with smtp_host and sender")
        self.name = name
        self.settings = settings

    def send(self, message: Message, to: Sequence[str] = ()) -> None:
        recipients = _unique(list(to))
        if not recipients:
            raise DeliveryError("no recipients", retry=False)
        mail = self.compose(message, recipients)
        try:
            refused = self._deliver(mail, recipients)
        except smtplib.SMTPRecipientsRefused as exc:
            raise _refused(exc.recipients, len(recipients)) from None
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(f"SMTP {exc.smtp_code} {_text(exc.smtp_error)}", retry=exc.smtp_code < 500) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise DeliveryError(f"SMTP server: {exc}", retry=False) from None
        except ssl.SSLCertVerificationError as exc:
            raise DeliveryError(f"SMTP server certificate: {exc.verify_message}", retry=False) from None
        except UnicodeEncodeError:  # smtplib sends AUTH credentials as ASCII only
            raise DeliveryError("SMTP login: smtplib takes only ASCII user names and passwords", retry=False) from None
        except (smtplib.SMTPException, OSError) as exc:
            if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):  # smtplib wraps it
                raise DeliveryError(f"SMTP {self._server()}: no answer within {self._timeout()}s") from None
            raise DeliveryError(f"SMTP {self._server()}: {type(exc).__name__}: {exc}") from None
        if refused:  # some got it: say who did not, retry only if every refusal was temporary
            raise _refused(refused, len(recipients))

    def compose(self, message: Message, recipients: Sequence[str]) -> EmailMessage:
        mail = EmailMessage()
        mail["Subject"] = " ".join(message.title.split())  # one line, whatever the title holds
        mail["From"] = self.settings.sender
        mail["To"] = ", ".join(recipients)
        mail["Date"] = formatdate(localtime=True)
        mail["Message-ID"] = make_msgid(domain=self._sender_address().rpartition("@")[2] or None)
        body = message.text.rstrip("\n")
        if message.link:
            body += f"\n\n查看事件详情：{message.link}"
        mail.set_content(body + "\n", charset="utf-8", cte="base64")  # safe where 8BITMIME is not
        return mail

    def _deliver(self, mail: EmailMessage, recipients: list[str]) -> dict[str, tuple[int, bytes]]:
        settings = self.settings
        host, port, timeout = settings.smtp_host or "", settings.smtp_port, settings.timeout_seconds
        if settings.smtp_security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        with smtp:
            if settings.smtp_security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            return smtp.send_message(mail, from_addr=self._sender_address(), to_addrs=recipients)

    def _sender_address(self) -> str:
        """The bare address of ``sender``, which may be "舆情监测 <yq@example.com>"."""
        return parseaddr(self.settings.sender or "")[1] or (self.settings.sender or "")

    def _timeout(self) -> str:
        return f"{self.settings.timeout_seconds:g}"

    def _server(self) -> str:
        return f"{self.settings.smtp_host}:{self.settings.smtp_port}"


def _unique(addresses: Sequence[str]) -> list[str]:
    seen: dict[str, str] = {}
    for address in addresses:
        address = address.strip()
        if address and address.lower() not in seen:
            seen[address.lower()] = address
    return list(seen.values())


def _refused(refused: dict[str, tuple[int, bytes]], total: int) -> DeliveryError:
    """Some or all addresses refused: permanent when every refusal was a 5xx."""
    details = "; ".join(f"{address} ({code} {_text(reply)})" for address, (code, reply) in refused.items())
    retry = any(code < 500 for code, _ in refused.values())
    return DeliveryError(f"SMTP refused {len(refused)} of {total} recipients: {details}", retry=retry)


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())[:120]
