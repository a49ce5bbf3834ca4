"""Blocked, login wall, or a page to parse: the verdicts on pages the tests build."""

from __future__ import annotations

import pytest

from yuqing.crawlers.classify import Outcome, classify_response, crawl_outcome

BAIDU_CHECK = "<html><head><title>百度安全验证</title></head><body><div class='timeout-title'>网络不给力，请稍后重试</div></body></html>".encode()
WEIBO_CAPTCHA = (
    b'{"ok":-100,"errno":"-100","msg":"","url":"https://m.weibo.cn/captcha?scene=limit&referer=/","extra":""}'
)
WEIBO_LOGIN = '<!DOCTYPE html><html><head><title>新浪通行证</title></head><body><a href="https://passport.weibo.cn/signin/login">登录</a></body></html>'.encode()


@pytest.mark.parametrize(
    ("status", "headers", "body", "url", "expect_json", "outcome", "says"),
    [
        (418, {}, b"", "https://m.weibo.cn/api/container/getIndex", True, Outcome.BLOCKED, "418"),
        (432, {}, b"", "https://m.weibo.cn/api/container/getIndex", True, Outcome.BLOCKED, "432"),
        (403, {}, b"Forbidden", "https://tieba.baidu.com/f/search/res", False, Outcome.BLOCKED, "403"),
        (429, {}, b"", "https://www.baidu.com/s?wd=x", False, Outcome.BLOCKED, "429"),
        (
            302,
            {"Location": "https://wappass.baidu.com/static/captcha/tuxing.html?ak=1&backurl=x"},
            b"",
            "https://www.baidu.com/s?wd=x",
            False,
            Outcome.BLOCKED,
            "captcha",
        ),
        (200, {}, BAIDU_CHECK, "https://www.baidu.com/s?wd=x", False, Outcome.BLOCKED, "百度安全验证"),
        (
            200,
            {},
            b"<html>ok</html>",
            "https://wappass.baidu.com/static/captcha/tuxing.html",
            False,
            Outcome.BLOCKED,
            "captcha",
        ),
        (200, {}, WEIBO_CAPTCHA, "https://m.weibo.cn/api/container/getIndex", True, Outcome.BLOCKED, 'ok":-100'),
        (
            302,
            {"Location": "https://passport.weibo.cn/signin/login?entry=mweibo"},
            b"",
            "https://m.weibo.cn/api/container/getIndex",
            True,
            Outcome.LOGIN_REQUIRED,
            "login",
        ),
        (200, {}, WEIBO_LOGIN, "https://m.weibo.cn/api/container/getIndex", True, Outcome.LOGIN_REQUIRED, "JSON"),
    ],
)
def test_refusals_are_told_apart(status, headers, body, url, expect_json, outcome, says) -> None:
    verdict = classify_response(status, headers, body, url, expect_json=expect_json)
    assert verdict is not None and verdict.outcome is outcome
    assert says in verdict.reason


@pytest.mark.parametrize(
    ("status", "headers", "body", "url", "expect_json"),
    [
        (200, {}, b'{"ok":1,"data":{"cards":[]}}', "https://m.weibo.cn/api/container/getIndex", True),
        (200, {}, '{"ok":0,"msg":"这里还没有内容","data":{"cards":[]}}'.encode(), "https://m.weibo.cn/api/x", True),
        (
            200,
            {},
            "<html><title>星河电器_百度搜索</title><div id=content_left></div></html>".encode(),
            "https://www.baidu.com/s?wd=星河电器",
            False,
        ),
        (302, {"Location": "https://www.baidu.com/s?wd=x&pn=10"}, b"", "https://www.baidu.com/s?wd=x", False),
        (404, {}, b"not found", "https://bbs.example.com/forum.php", False),
    ],
)
def test_ordinary_responses_go_to_the_parser(status, headers, body, url, expect_json) -> None:
    assert classify_response(status, headers, body, url, expect_json=expect_json) is None


def test_real_saved_pages_are_not_mistaken_for_blocks(fixtures_dir) -> None:
    pages = [p for p in fixtures_dir.rglob("*") if p.suffix in {".html", ".json"} and "expected" not in p.name]
    assert len(pages) > 20
    for page in pages:
        verdict = classify_response(
            200, {}, page.read_bytes(), "https://example.com/", expect_json=page.suffix == ".json"
        )
        assert verdict is None, (page.name, verdict)


@pytest.mark.parametrize(
    ("stats", "outcome"),
    [
        ({"downloader/response_count": 3, "item_scraped_count": 12}, Outcome.OK),
        ({"downloader/response_count": 1}, Outcome.EMPTY),
        ({"downloader/response_count": 1, "yuqing/blocked_reason": "HTTP 418"}, Outcome.BLOCKED),
        (
            {"downloader/response_count": 4, "item_scraped_count": 9, "yuqing/blocked_reason": "HTTP 418"},
            Outcome.BLOCKED,
        ),
        ({"downloader/response_count": 1, "yuqing/login_reason": "login page"}, Outcome.LOGIN_REQUIRED),
        ({"downloader/response_count": 2, "yuqing/layout_changed": 2, "yuqing/parse_error": 2}, Outcome.LAYOUT_CHANGED),
        ({"downloader/response_count": 2, "yuqing/parse_error": 2}, Outcome.LAYOUT_CHANGED),
        ({"yuqing/last_download_error": "ConnectionRefusedError"}, Outcome.UNREACHABLE),
        ({}, Outcome.UNREACHABLE),
    ],
)
def test_a_crawl_gets_one_verdict(stats, outcome) -> None:
    assert crawl_outcome(stats).outcome is outcome
