"""What every notification channel shares: the message, the interface, the error.

A channel sends one rendered ``Message`` to its recipients and raises
``DeliveryError`` when it could not; retrying, and remembering what was sent,
is the dispatcher's job (``alerting/dispatch.py``), not the channel's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence


@dataclass(frozen=True)
class Message:
    """A notice as people read it, in Chinese.

    ``title``: one line (【重大】星河电器负面舆情：…); ``text``: the body, plain text
    with line breaks; ``link``: the incident in the console, when one is configured.
    """

    title: str
    text: str
    severity: str
    link: str | None = None


class DeliveryError(Exception):
    """The channel could not deliver: the reason is the message, short and readable.
    ``retry`` is False when trying again cannot help (a rejected address, a bad bot key)."""

    def __init__(self, reason: str, *, retry: bool = True) -> None:
        super().__init__(reason)
        self.retry = retry


class Notifier(Protocol):
    name: str
    kind: str

    def send(self, message: Message, to: Sequence[str] = ()) -> None:
        """Deliver the message; ``to`` are e-mail addresses (group bots ignore it)."""
        ...
