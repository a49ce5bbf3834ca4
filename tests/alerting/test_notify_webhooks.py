"""The group-bot channels against a real local HTTP receiver, and the splitting they share."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Iterator
from typing import Any

import pytest

from support import Receiver, free_port, webhook_receiver
from yuqing.alerting.notify.base import DeliveryError, Message
from yuqing.alerting.notify.channels import build_notifier
from yuqing.alerting.notify.webhooks import (
    MAX_PARTS,
    TRUNCATED,
    DingTalkNotifier,
    FeishuNotifier,
    WeComNotifier,
    dingtalk_sign,
    feishu_sign,
    json_size,
    split_text,
)
from yuqing.settings import ChannelSettings

LINK = "http://yq.example:8000/incidents/7"
MESSAGE = Message(
    title="【重大】星河电器负面舆情：热水器漏电",
    text="品牌：星河电器\n负面帖子：12 条\n摘要：多名用户反映热水器漏电 [点此](http://evil.example)",
    severity="major",
    link=LINK,
)


# --- split_text --------------------------------------------------------------------------


def test_split_text_keeps_a_short_text_whole() -> None:
    assert split_text("第一行\n第二行", 100) == ["第一行\n第二行"]
    assert split_text("", 10) == [""]


def test_split_text_cuts_at_line_breaks_in_order() -> None:
    lines = [f"第{i:02d}行：星河电器热水器漏电" for i in range(40)]
    text = "\n".join(lines)
    parts = split_text(text, 200)
    assert len(parts) > 1
    assert all(len(part.encode()) <= 200 for part in parts)
    assert "\n".join(parts) == text  # nothing lost, nothing reordered, lines whole


def test_split_text_cuts_a_long_line_between_characters() -> None:
    line = "漏电" * 50 + "abc"  # 303 bytes on one line
    parts = split_text(line, 10)
    assert all(len(part.encode()) <= 10 for part in parts)
    assert "".join(parts) == line
    assert [len(part.encode()) for part in parts[:3]] == [9, 9, 9]  # 3 bytes a character: 10 holds 3


def test_split_text_measures_with_the_given_size() -> None:
    text = 'a"b\\c\n' * 30  # quotes and backslashes take two bytes in JSON
    parts = split_text(text, 50, json_size)
    assert all(json_size(part) <= 50 for part in parts)
    assert "\n".join(parts) == text


def test_split_text_refuses_a_limit_smaller_than_a_character() -> None:
    with pytest.raises(ValueError):
        split_text("漏电", 2)
    with pytest.raises(ValueError):
        split_text("x", 0)


# --- a real HTTP receiver ------------------------------------------------------------------


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as state:
        yield state


def bot(kind: str, url: str, secret: str | None = None, timeout: float = 5) -> Any:
    settings = ChannelSettings(kind=kind, url=url, secret=secret, timeout_seconds=timeout)
    return build_notifier(f"{kind}-group", settings)


def long_message(lines: int) -> Message:
    text = "\n".join(f"第{i:03d}条：用户反映星河电器热水器漏电，客服不理睬，要求退货赔偿。" for i in range(lines))
    return Message(title="【重大】星河电器负面舆情汇总", text=text, severity="major", link=LINK)


# --- WeCom ---------------------------------------------------------------------------------


def test_wecom_posts_markdown_to_the_webhook(receiver: Receiver) -> None:
    notifier = bot("wecom", receiver.url)
    assert isinstance(notifier, WeComNotifier) and notifier.kind == "wecom" and notifier.name == "wecom-group"
    notifier.send(MESSAGE, to=["ignored@example.com"])
    [request] = receiver.requests
    assert request.path == "/hook" and request.query == {"key": "k-123"}
    assert request.content_type.startswith("application/json")
    assert request.json["msgtype"] == "markdown"
    content = request.json["markdown"]["content"]
    assert content.startswith('<font color="warning">**【重大】星河电器负面舆情：热水器漏电**</font>\n')
    assert "负面帖子：12 条\n摘要：" in content
    assert "［点此］(http://evil.example)" in content  # a post's words do not become a link
    assert content.endswith(f"\n[查看事件详情]({LINK})")


def test_wecom_splits_a_long_message_within_4096_bytes(receiver: Receiver) -> None:
    message = long_message(120)  # about 11 KB
    bot("wecom", receiver.url).send(message)
    contents = [request.json["markdown"]["content"] for request in receiver.requests]
    assert len(contents) == 3
    for index, content in enumerate(contents, 1):
        assert len(content.encode("utf-8")) <= 4096
        assert content.startswith(f'<font color="warning">**【重大】星河电器负面舆情汇总 ({index}/3)**</font>\n')
    bodies = [content.split("\n", 1)[1].rsplit("\n", 1)[0] for content in contents]
    assert "\n".join(bodies) == message.text  # in order, whole lines


@pytest.mark.parametrize(
    ("answer", "retry"),
    [
        ((200, {"errcode": 45009, "errmsg": "api freq out of limit"}), True),
        ((200, {"errcode": 93000, "errmsg": "invalid webhook url"}), False),
        ((200, {"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"}), False),
        ((500, {"error": "internal"}), True),
        ((404, {}), False),
    ],
)
def test_wecom_failures(receiver: Receiver, answer: tuple[int, dict[str, Any]], retry: bool) -> None:
    receiver.answers.append(answer)
    with pytest.raises(DeliveryError) as caught:
        bot("wecom", receiver.url).send(MESSAGE)
    assert caught.value.retry is retry
    assert "k-123" not in str(caught.value)  # the bot key stays out of logs


# --- DingTalk ------------------------------------------------------------------------------


def test_dingtalk_signs_the_query_and_sends_markdown_with_a_title(receiver: Receiver) -> None:
    url = receiver.url.replace("key=k-123", "access_token=tok")
    before = int(time.time() * 1000)
    bot("dingtalk", url, secret="SECabc+/=").send(MESSAGE)
    [request] = receiver.requests
    assert request.query["access_token"] == "tok"
    timestamp = request.query["timestamp"]
    assert before <= int(timestamp) <= int(time.time() * 1000)
    assert request.query["sign"] == dingtalk_sign("SECabc+/=", timestamp)  # parse_qs undid the URL encoding
    assert _hmac_b64(b"SECabc+/=", f"{timestamp}\nSECabc+/=".encode()) == request.query["sign"]
    markdown = request.json["markdown"]
    assert request.json["msgtype"] == "markdown"
    assert markdown["title"] == MESSAGE.title
    assert markdown["text"].startswith(f"#### {MESSAGE.title}\n\n品牌：星河电器\n\n负面帖子：12 条\n\n")
    assert markdown["text"].endswith(f"\n\n[查看事件详情]({LINK})")


def test_dingtalk_without_a_secret_is_not_signed(receiver: Receiver) -> None:
    bot("dingtalk", receiver.url).send(MESSAGE)
    assert receiver.requests[0].query == {"key": "k-123"}


def test_dingtalk_splits_within_20000_bytes_of_body(receiver: Receiver) -> None:
    message = long_message(500)  # about 47 KB of text, more with the blank lines
    bot("dingtalk", receiver.url, secret="s").send(message)
    total = len(receiver.requests)
    assert total >= 3
    texts = []
    for index, request in enumerate(receiver.requests, 1):
        assert len(request.raw) <= 20000
        assert request.json["markdown"]["title"] == f"【重大】星河电器负面舆情汇总 ({index}/{total})"
        assert request.query["sign"] == dingtalk_sign("s", request.query["timestamp"])
        texts.append(request.json["markdown"]["text"].split("\n\n", 1)[1].rsplit("\n\n", 1)[0])
    assert "\n\n".join(texts) == message.text.replace("\n", "\n\n")


@pytest.mark.parametrize(
    ("answer", "retry"),
    [
        ((200, {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}), True),
        ((200, {"errcode": 410100, "errmsg": "send too fast"}), True),
        ((200, {"errcode": 310000, "errmsg": "sign not match"}), False),
        ((200, {"errcode": 300001, "errmsg": "token is not exist"}), False),
        ((503, {}), True),
    ],
)
def test_dingtalk_failures(receiver: Receiver, answer: tuple[int, dict[str, Any]], retry: bool) -> None:
    receiver.answers.append(answer)
    with pytest.raises(DeliveryError) as caught:
        bot("dingtalk", receiver.url).send(MESSAGE)
    assert caught.value.retry is retry
    assert str(answer[1].get("errcode", answer[0])) in str(caught.value)


# --- Feishu --------------------------------------------------------------------------------


def test_feishu_signs_the_body_and_sends_a_post(receiver: Receiver) -> None:
    receiver.default = (200, {"code": 0, "msg": "success", "data": {}})
    before = int(time.time())
    bot("feishu", receiver.url, secret="feishu-secret").send(MESSAGE)
    [request] = receiver.requests
    payload = request.json
    assert before <= int(payload["timestamp"]) <= int(time.time())
    assert payload["sign"] == _hmac_b64(f"{payload['timestamp']}\nfeishu-secret".encode(), b"")
    assert payload["sign"] == feishu_sign("feishu-secret", payload["timestamp"])
    assert payload["msg_type"] == "post"
    post = payload["content"]["post"]["zh_cn"]
    assert post["title"] == MESSAGE.title
    assert post["content"] == [
        [{"tag": "text", "text": "品牌：星河电器"}],
        [{"tag": "text", "text": "负面帖子：12 条"}],
        [{"tag": "text", "text": "摘要：多名用户反映热水器漏电 [点此](http://evil.example)"}],  # plain text already
        [{"tag": "a", "text": "查看事件详情", "href": LINK}],
    ]


def test_feishu_without_a_secret_sends_no_signature(receiver: Receiver) -> None:
    receiver.default = (200, {"code": 0, "msg": "success"})
    bot("feishu", receiver.url).send(Message(title="【一般】提醒", text="一行", severity="general"))
    payload = receiver.requests[0].json
    assert "sign" not in payload and "timestamp" not in payload
    assert payload["content"]["post"]["zh_cn"]["content"] == [[{"tag": "text", "text": "一行"}]]


def test_feishu_splits_within_20000_bytes_of_body(receiver: Receiver) -> None:
    receiver.default = (200, {"code": 0, "msg": "success"})
    message = long_message(600)
    bot("feishu", receiver.url, secret="s").send(message)
    total = len(receiver.requests)
    assert total >= 3
    lines = []
    for index, request in enumerate(receiver.requests, 1):
        assert len(request.raw) <= 20000
        post = request.json["content"]["post"]["zh_cn"]
        assert post["title"] == f"【重大】星河电器负面舆情汇总 ({index}/{total})"
        lines += [paragraph[0]["text"] for paragraph in post["content"] if paragraph[0]["tag"] == "text"]
    assert lines == message.text.split("\n")


def test_a_huge_message_is_cut_to_the_most_parts(receiver: Receiver) -> None:
    receiver.default = (200, {"code": 0, "msg": "success"})
    bot("feishu", receiver.url).send(long_message(5000))  # ~470 KB
    assert len(receiver.requests) == MAX_PARTS
    last = receiver.requests[-1].json["content"]["post"]["zh_cn"]
    assert last["title"].endswith(f"({MAX_PARTS}/{MAX_PARTS})")
    assert last["content"][-2] == [{"tag": "text", "text": TRUNCATED}]
    assert all(len(request.raw) <= 20000 for request in receiver.requests)


@pytest.mark.parametrize(
    ("answer", "retry"),
    [
        ((200, {"code": 11232, "msg": "frequency limited"}), True),
        ((200, {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"}), False),
        ((200, {"code": 19024, "msg": "Key Words Not Found"}), False),
        ((400, {"code": 9499, "msg": "Bad Request"}), False),
        ((500, {}), True),
        ((200, {"unexpected": True}), True),
    ],
)
def test_feishu_failures(receiver: Receiver, answer: tuple[int, dict[str, Any]], retry: bool) -> None:
    receiver.answers.append(answer)
    with pytest.raises(DeliveryError) as caught:
        bot("feishu", receiver.url, secret="s").send(MESSAGE)
    assert caught.value.retry is retry


# --- every bot -----------------------------------------------------------------------------


def test_a_failed_part_stops_the_rest(receiver: Receiver) -> None:
    receiver.answers += [(200, {"errcode": 0}), (200, {"errcode": 45009, "errmsg": "api freq out of limit"})]
    with pytest.raises(DeliveryError, match="part 2/3") as caught:
        bot("wecom", receiver.url).send(long_message(120))
    assert caught.value.retry is True
    assert len(receiver.requests) == 2


@pytest.mark.parametrize("kind", ["wecom", "dingtalk", "feishu"])
def test_connection_refused_is_worth_retrying(kind: str) -> None:
    with pytest.raises(DeliveryError) as caught:
        bot(kind, f"http://127.0.0.1:{free_port()}/hook?key=k-123").send(MESSAGE)
    assert caught.value.retry is True
    assert "k-123" not in str(caught.value)


def test_a_slow_bot_times_out_and_is_worth_retrying(receiver: Receiver) -> None:
    receiver.delay = 2
    started = time.monotonic()
    with pytest.raises(DeliveryError, match="no answer within 0.3s") as caught:
        bot("dingtalk", receiver.url, timeout=0.3).send(MESSAGE)
    assert caught.value.retry is True
    assert time.monotonic() - started < 1.5


def test_a_bad_url_is_permanent() -> None:
    with pytest.raises(DeliveryError) as caught:
        bot("wecom", "ftp://127.0.0.1/hook").send(MESSAGE)
    assert caught.value.retry is False


def test_build_notifier_maps_each_kind() -> None:
    assert isinstance(bot("wecom", "http://x/"), WeComNotifier)
    assert isinstance(bot("dingtalk", "http://x/"), DingTalkNotifier)
    assert isinstance(bot("feishu", "http://x/"), FeishuNotifier)


def _hmac_b64(key: bytes, data: bytes) -> str:
    return base64.b64encode(hmac.new(key, data, hashlib.sha256).digest()).decode()
