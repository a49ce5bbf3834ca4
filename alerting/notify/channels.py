"""One place that turns a channel's settings into the notifier that sends on it."""

from __future__ import annotations

from typing import Callable

from yuqing.settings import ChannelSettings

from .base import Notifier
from .email import EmailNotifier
from .webhooks import DingTalkNotifier, FeishuNotifier, WeComNotifier

NOTIFIERS: dict[str, Callable[[str, ChannelSettings], Notifier]] = {
    "email": EmailNotifier,
    "wecom": WeComNotifier,
    "dingtalk": DingTalkNotifier,
    "feishu": FeishuNotifier,
}


def build_notifier(name: str, settings: ChannelSettings) -> Notifier:
    """The notifier for ``settings.kind``; ``name`` is the channel's key in the config."""
    try:
        make = NOTIFIERS[settings.kind]
    except KeyError:
        raise ValueError(f"channel {name!r}: no notifier for kind {settings.kind!r}") from None
    return make(name, settings)
