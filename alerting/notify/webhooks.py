"""Group-bot channels: WeCom (企业微信), DingTalk (钉钉) and Feishu (飞书) custom bots.

Each bot is a webhook URL that takes one JSON message per POST. The three differ in
the payload, in how a message is signed and in how much one message may hold:

- WeCom: ``markdown.content`` at most 4096 bytes of UTF-8 (errcode 40058 past it);
  no signing (the key is in the URL); errcode 45009 when over 20 messages a minute.
- DingTalk: the request body at most 20000 bytes (errcode 460101 past it); with a
  secret, ``timestamp`` (ms) and ``sign`` = base64(HMAC-SHA256(key=secret,
  msg=f"{timestamp}\\n{secret}")) go in the query string; 20 messages a minute.
- Feishu: the request body at most 20 KB (20000 bytes kept here); with a secret,
  ``timestamp`` (s) and ``sign`` = base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}",
  msg=b"")) go in the JSON body; code 11232 when rate-limited.

A message longer than the platform takes is sent as several ordered parts, "(1/3)" in
each title, cut at line boundaries by ``split_text``. Each part is signed on its own.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, Sequence

import httpx

from yuqing.settings import ChannelSettings

from .base import DeliveryError, Message

MAX_PARTS = 10  # the bots take 20 messages a minute; a longer notice is cut, the console has it all
TRUNCATED = "……（内容过长，其余部分已省略，完整内容请在控制台查看）"
LINK_TEXT = "查看事件详情"
_WIDEST_COUNTER_DIGITS = 2  # MAX_PARTS fits; the title always reserves room for " (10/10)"


# --- splitting ---------------------------------------------------------------------------


def utf8_size(text: str) -> int:
    return len(text.encode("utf-8"))


def json_size(text: str) -> int:
    """Bytes the text takes inside a JSON string sent as UTF-8: escapes count, the quotes do not."""
    return utf8_size(json.dumps(text, ensure_ascii=False)) - 2


def split_text(text: str, limit_bytes: int, size: Callable[[str], int] = utf8_size) -> list[str]:
    """Cut ``text`` into ordered parts of at most ``limit_bytes`` each, as ``size`` measures them.

    Parts end at line breaks (the break between two parts is dropped, so
    ``"\\n".join(parts) == text`` when no line is too long on its own); a line longer
    than the limit is cut between characters, never inside one. ``size`` must add up
    character by character (``size(a + b) == size(a) + size(b)``), as UTF-8 and JSON
    escaping do. Always at least one part (``[""]`` for an empty text).
    """
    if limit_bytes < 1:
        raise ValueError(f"limit_bytes must be positive, not {limit_bytes}")
    newline = size("\n")
    parts: list[str] = []
    lines: list[str] = []
    used = 0
    for line in text.split("\n"):
        for piece in _cut_line(line, limit_bytes, size):
            added = size(piece) + (newline if lines else 0)
            if lines and used + added > limit_bytes:
                parts.append("\n".join(lines))
                lines, used, added = [], 0, size(piece)
            lines.append(piece)
            used += added
    parts.append("\n".join(lines))
    return parts


def _cut_line(line: str, limit_bytes: int, size: Callable[[str], int]) -> Iterator[str]:
    if size(line) <= limit_bytes:
        yield line
        return
    piece: list[str] = []
    used = 0
    for char in line:
        char_size = size(char)
        if char_size > limit_bytes:
            raise ValueError(f"one character takes {char_size} bytes, over the limit of {limit_bytes}")
        if used + char_size > limit_bytes:
            yield "".join(piece)
            piece, used = [], 0
        piece.append(char)
        used += char_size
    if piece:
        yield "".join(piece)


def counter(index: int, total: int) -> str:
    """ " (2/3)" after the title of a part; nothing for a message sent whole."""
    return f" ({index}/{total})" if total > 1 else ""


# --- the bots ----------------------------------------------------------------------------

# Markdown bots would turn a post's "[点此](http://…)" or "<font …>" into live markup:
# show those characters as their full-width look-alikes instead.
_MARKUP = str.maketrans({"[": "［", "]": "］", "<": "＜", ">": "＞"})


def _plain(text: str) -> str:
    return text.translate(_MARKUP)


def _encode(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class _GroupBot:
    """What the three bots share: splitting, posting, reading the answer.

    A subclass says how a part becomes a payload (``payload``), how many bytes of it
    the platform counts (``measure``, at most ``limit_bytes``), how the body text grows
    in it (``size``, additive), and which error codes are worth retrying.
    """

    kind: ClassVar[str]
    limit_bytes: ClassVar[int]
    code_key: ClassVar[str]
    reason_key: ClassVar[str]
    retryable_codes: ClassVar[frozenset[int]]

    def __init__(self, name: str, settings: ChannelSettings) -> None:
        if settings.kind != self.kind or not settings.url:
            raise ValueError(f"channel {name!r} is not a {self.kind} bot with a url")
        self.name = name
        self.url = settings.url
        self.secret = settings.secret or None
        self.timeout = settings.timeout_seconds

    # what a subclass provides
    def payload(self, message: Message, part: str, suffix: str) -> dict[str, Any]:
        raise NotImplementedError

    def size(self, text: str) -> int:
        return json_size(text)

    def measure(self, payload: dict[str, Any]) -> int:
        return len(_encode(payload))

    def sign(self, payload: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        """The payload and query parameters to send; unsigned by default."""
        return payload, {}

    # the shared part
    def send(self, message: Message, to: Sequence[str] = ()) -> None:
        """Post the message, in parts when it is too long; ``to`` is ignored (the bot posts to its group)."""
        parts = self.parts(message)
        with httpx.Client(timeout=self.timeout) as client:
            for index, part in enumerate(parts, 1):
                payload = self.payload(message, part, counter(index, len(parts)))
                if self.measure(payload) > self.limit_bytes:  # split_text's bound makes this unreachable
                    raise DeliveryError(f"{self.kind}: part {index} over {self.limit_bytes} bytes", retry=False)
                self._post(client, payload, f"part {index}/{len(parts)}" if len(parts) > 1 else "")

    def parts(self, message: Message) -> list[str]:
        """The message text in parts that fit, at most ``MAX_PARTS`` (the last one then says so)."""
        widest = " (" + "9" * _WIDEST_COUNTER_DIGITS + "/" + "9" * _WIDEST_COUNTER_DIGITS + ")"
        budget = self.limit_bytes - self.measure(self.payload(message, "", widest))
        if budget < 64:
            raise DeliveryError(f"{self.kind}: the title and link leave no room for the text", retry=False)
        parts = split_text(message.text, budget, self.size)
        if len(parts) > MAX_PARTS:
            note = "\n" + TRUNCATED
            parts = split_text(message.text, budget - self.size(note), self.size)[:MAX_PARTS]
            parts[-1] += note
        return parts

    def _post(self, client: httpx.Client, payload: dict[str, Any], which: str) -> None:
        body, params = self.sign(payload)
        where = f"{self.kind} {which}".strip()
        try:
            response = client.post(
                httpx.URL(self.url).copy_merge_params(params),  # params= would drop the URL's own key
                content=_encode(body),
                headers={"Content-Type": "application/json; charset=utf-8"},
            )
        except httpx.TimeoutException:
            raise DeliveryError(f"{where}: no answer within {self.timeout:g}s") from None
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise DeliveryError(f"{where}: bad webhook url: {exc}", retry=False) from None
        except httpx.HTTPError as exc:  # the URL (with its key) is not in the reason
            raise DeliveryError(f"{where}: {type(exc).__name__}: {exc}") from None
        self._check(response, where)

    def _check(self, response: httpx.Response, where: str) -> None:
        answer = _json_object(response)
        code = answer.get(self.code_key)
        if isinstance(code, int) and code != 0:
            reason = str(answer.get(self.reason_key) or "")[:120]
            raise DeliveryError(f"{where}: error {code} {reason}".rstrip(), retry=code in self.retryable_codes)
        if not response.is_success:
            retry = response.status_code >= 500 or response.status_code in (408, 429)
            raise DeliveryError(f"{where}: HTTP {response.status_code}", retry=retry)
        if code != 0:
            raise DeliveryError(f"{where}: unexpected answer {response.text[:80]!r}")


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        answer = response.json()
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


class WeComNotifier(_GroupBot):
    """企业微信群机器人, ``msgtype: markdown``.

    WeCom markdown keeps line breaks as they are, shows ``**bold**`` and
    ``[text](url)`` links, and colours ``<font color="warning">``; its plain text
    messages would show the link as a bare URL and hold only 2048 bytes (markdown: 4096).
    The 4096 bytes count ``markdown.content`` only, so that is what is measured.
    """

    kind = "wecom"
    limit_bytes = 4096
    code_key = "errcode"
    reason_key = "errmsg"
    retryable_codes = frozenset({-1, 45009, 45033})  # system busy, over the rate, too many at once

    def payload(self, message: Message, part: str, suffix: str) -> dict[str, Any]:
        title = f"**{_plain(message.title)}{suffix}**"
        if message.severity in ("serious", "major"):
            title = f'<font color="warning">{title}</font>'
        lines = [title, _plain(part)]
        if message.link:
            lines.append(f"[{LINK_TEXT}]({message.link})")
        return {"msgtype": "markdown", "markdown": {"content": "\n".join(lines)}}

    def size(self, text: str) -> int:
        return utf8_size(_plain(text))

    def measure(self, payload: dict[str, Any]) -> int:
        return utf8_size(payload["markdown"]["content"])


class DingTalkNotifier(_GroupBot):
    """钉钉自定义机器人, ``msgtype: markdown`` with a ``title``.

    The title is what the chat list and the phone notification show; the text shows
    a heading, the lines and a clickable link. DingTalk markdown joins single line
    breaks into one paragraph, so each line break is sent as a blank line. The 20000
    bytes count the whole request body. With a secret the request is signed
    (``timestamp`` in ms and ``sign`` in the query string).
    """

    kind = "dingtalk"
    limit_bytes = 20000
    code_key = "errcode"
    reason_key = "errmsg"
    retryable_codes = frozenset({-1, 130101, 410100})  # system busy, "send too fast" (old and new code)

    def payload(self, message: Message, part: str, suffix: str) -> dict[str, Any]:
        title = _plain(message.title) + suffix
        lines = [f"#### {title}", _dingtalk_text(part)]
        if message.link:
            lines.append(f"[{LINK_TEXT}]({message.link})")
        return {"msgtype": "markdown", "markdown": {"title": title, "text": "\n\n".join(lines)}}

    def size(self, text: str) -> int:
        return json_size(_dingtalk_text(text))

    def sign(self, payload: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        if not self.secret:
            return payload, {}
        timestamp = str(int(time.time() * 1000))
        return payload, {"timestamp": timestamp, "sign": dingtalk_sign(self.secret, timestamp)}


def _dingtalk_text(text: str) -> str:
    return _plain(text).replace("\n", "\n\n")


def dingtalk_sign(secret: str, timestamp: str) -> str:
    """base64(HMAC-SHA256(key=secret, msg="{timestamp}\\n{secret}")); httpx URL-encodes it."""
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class FeishuNotifier(_GroupBot):
    """飞书自定义机器人, ``msg_type: post`` (rich text).

    A post has a real title, one paragraph per line and an ``a`` tag for the link,
    and its text elements are plain text, so nothing in a post's words can turn
    into markup; a ``text`` message would have neither title nor link. The 20 KB
    count the whole request body (20000 bytes kept). With a secret the body carries
    ``timestamp`` (s) and ``sign``.
    """

    kind = "feishu"
    limit_bytes = 20000
    code_key = "code"
    reason_key = "msg"
    retryable_codes = frozenset({11232})  # rate limited

    def payload(self, message: Message, part: str, suffix: str) -> dict[str, Any]:
        content: list[list[dict[str, str]]] = [[{"tag": "text", "text": line}] for line in part.split("\n")]
        if message.link:
            content.append([{"tag": "a", "text": LINK_TEXT, "href": message.link}])
        post = {"zh_cn": {"title": message.title + suffix, "content": content}}
        return {"msg_type": "post", "content": {"post": post}}

    def size(self, text: str) -> int:
        return json_size(text) + text.count("\n") * (_PARAGRAPH_BREAK - json_size("\n"))

    def sign(self, payload: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        if not self.secret:
            return payload, {}
        timestamp = str(int(time.time()))
        return {"timestamp": timestamp, "sign": feishu_sign(self.secret, timestamp), **payload}, {}

    def measure(self, payload: dict[str, Any]) -> int:
        return len(_encode({"timestamp": "9" * 10, "sign": "=" * 44, **payload}))  # signed or not


def feishu_sign(secret: str, timestamp: str) -> str:
    """base64(HMAC-SHA256(key="{timestamp}\\n{secret}", msg=b""))."""
    digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _paragraph_break() -> int:
    """Bytes one more line adds to a Feishu post besides its own text: the next paragraph's frame."""
    one = _encode([[{"tag": "text", "text": ""}]])
    two = _encode([[{"tag": "text", "text": ""}], [{"tag": "text", "text": ""}]])
    return len(two) - len(one)


_PARAGRAPH_BREAK = _paragraph_break()
