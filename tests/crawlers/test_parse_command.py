"""`yuqing parse --source SOURCE FILE`: the contract, on every real saved page."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from support import yuqing_command
from yuqing.crawlers.parse_file import parse_file
from yuqing.errors import YuqingError

NOW = "2026-11-28T10:00:00+08:00"
CONTRACT = {"source", "post_id", "url", "title", "text", "author", "published_at", "reposts", "comments", "likes",
            "parent_id"}  # fmt: skip
TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")


def source_of(path: Path) -> str:
    if "weibocn_html" in path.parts:
        return "weibo-cn"
    return path.parent.name


def saved_pages(fixtures_dir: Path) -> list[Path]:
    return sorted(
        p
        for p in fixtures_dir.rglob("*")
        if p.suffix in {".html", ".json"} and "expected" not in p.name and p.name != "url_map.json"
    )


def test_every_real_page_gives_posts_in_the_contract_shape(fixtures_dir: Path) -> None:
    per_page: dict[str, int] = {}
    refused: dict[str, str] = {}
    records = []
    for page in saved_pages(fixtures_dir):
        try:
            posts = parse_file(source_of(page), page, now=NOW)
        except YuqingError as exc:
            refused[page.name] = str(exc)
            continue
        per_page[page.name] = len(posts)
        keys = [(p["source"], p["post_id"]) for p in posts]
        assert len(set(keys)) == len(keys), f"{page.name} gives one post twice"
        records += posts
    # pages that hold posts give them; the others say why (profile/info/album pages, the synthetic
    # invalid page, a long text saved without its address)
    assert sum(n > 0 for n in per_page.values()) >= 22, per_page
    assert len(records) > 350
    assert len(refused) <= 9, refused
    for record in records:
        assert CONTRACT <= set(record), record
        assert record["post_id"] and record["source"] in {"weibo", "baidu", "baidu-news", "tieba", "discuz"}
        assert record["published_at"] is None or record["published_at"].endswith("+08:00")
        assert all(isinstance(record[k], int) for k in ("reposts", "comments", "likes"))
        assert not TAG.search(record["text"]), record["text"][:200]
        assert not TAG.search(record["title"]), record["title"]
    assert any(re.search(r"\[[^\[\]]{1,8}\]", r["text"]) for r in records if r["source"] == "weibo")  # [哈哈]


def test_the_command_with_url_and_now(fixtures_dir: Path) -> None:
    page = fixtures_dir / "discuz" / "magichtml_discuz_csol_8cf0af42df35.html"
    expected = json.loads(page.with_name(page.name + ".expected.json").read_text(encoding="utf-8"))
    result = subprocess.run(
        yuqing_command("parse", "--source", "discuz", str(page), "--url", expected["url"], "--now", NOW),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    posts = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(posts) == 4
    assert posts[0]["post_id"].startswith("38672")
    assert posts[0]["title"] == "建议对鼠神进行改版"
    assert all(p["parent_id"] == posts[0]["post_id"] for p in posts[1:])


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("<html><head><title>百度安全验证</title></head><body>网络不给力</body></html>", "blocked"),
        ('{"ok":-100,"url":"https://m.weibo.cn/captcha?scene=limit"}', "blocked"),
    ],
)
def test_a_refusal_page_is_said_to_be_one(tmp_path: Path, body: str, says: str) -> None:
    page = tmp_path / "page.html"
    page.write_text(body, encoding="utf-8")
    result = subprocess.run(yuqing_command("parse", "--source", "baidu", str(page)), capture_output=True, text=True)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("yuqing: error: ") and says in result.stderr


def test_bad_arguments(tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    page.write_text("<html></html>")
    for args, says in (
        (["--source", "myspace", str(page)], "no parser for source 'myspace'"),
        (["--source", "baidu", str(tmp_path / "nope.html")], "cannot read"),
        (["--source", "baidu", str(page), "--now", "yesterday"], "--now is not an ISO 8601 time"),
    ):
        result = subprocess.run(yuqing_command("parse", *args), capture_output=True, text=True)
        assert result.returncode == 2 and says in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
