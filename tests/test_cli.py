"""The CLI as a user runs it: a subprocess, its exit status and its stderr."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from support import yuqing_command
from yuqing.demo import CONFIG as DEMO_CONFIG


def run(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(yuqing_command(*args), input=stdin, capture_output=True, text=True, timeout=120, cwd=cwd)


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("yuqing: error: ")
    for fragment in fragments:
        assert fragment in lines[0]


def test_unknown_source(tmp_path: Path) -> None:
    result = run("crawl", "myspace", "--data-dir", str(tmp_path / "d"), "--query", "x")
    assert_one_line_error(result, "unknown source 'myspace'", "weibo")


def test_missing_config_file(tmp_path: Path) -> None:
    assert_one_line_error(run("serve", "--config", str(tmp_path / "nope.toml")), "config file not found")


def test_bad_toml_key(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[server]\nprot = 8000\n", encoding="utf-8")
    assert_one_line_error(run("serve", "--config", str(config)), "server.prot: unknown key")


def test_unknown_source_in_config(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[[brands]]\nname = 'x'\n[sources.myspace]\nqueries = ['x']\n", encoding="utf-8")
    result = run("run", "--config", str(config), "--data-dir", str(tmp_path / "d"), "--port", "0")
    assert_one_line_error(result, "unknown source 'myspace'")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere; covered by the file-in-the-way case")
def test_read_only_data_dir(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    assert_one_line_error(run("serve", "--data-dir", str(locked / "d")), "not writable")


def test_data_dir_that_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert_one_line_error(run("serve", "--data-dir", str(blocker / "d")), "not writable")
    assert_one_line_error(
        run("user", "add", "a", "--role", "brand", "--data-dir", str(blocker), "--password-stdin", stdin="pw\n"),
        "not writable",
    )


def test_user_add(tmp_path: Path) -> None:
    data = str(tmp_path / "d")
    ok = run("user", "add", "alice", "--role", "legal", "--data-dir", data, "--password-stdin", stdin="pa55 word\n")
    assert ok.returncode == 0, ok.stderr
    assert "added user alice (legal)" in ok.stdout
    again = run("user", "add", "alice", "--role", "legal", "--data-dir", data, "--password-stdin", stdin="x\n")
    assert_one_line_error(again, "exists already")
    empty = run("user", "add", "bob", "--role", "brand", "--data-dir", data, "--password-stdin", stdin="\n")
    assert_one_line_error(empty, "password is empty")
    no_stdin = run("user", "add", "bob", "--role", "brand", "--data-dir", data, stdin="")
    assert_one_line_error(no_stdin, "--password-stdin")
    bad_role = run("user", "add", "bob", "--role", "ceo", "--data-dir", data, "--password-stdin", stdin="x\n")
    assert bad_role.returncode == 2 and "invalid choice: 'ceo'" in bad_role.stderr


def test_crawl_to_json_lines(demo_site_url: str, tmp_path: Path) -> None:
    out = tmp_path / "posts.jsonl"
    result = run("crawl", "weibo", "--base-url", demo_site_url, "--query", "星河电器", "-o", str(out))
    assert result.returncode == 0, result.stderr
    posts = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(posts) == 8
    assert {p["source"] for p in posts} == {"weibo"}
    assert all(p["published_at"].endswith("+08:00") for p in posts)
    assert "8 written" in result.stderr


def test_crawl_into_the_store_opens_an_incident(demo_site_url: str, tmp_path: Path) -> None:
    data = str(tmp_path / "d")
    for source in ("weibo", "baidu", "discuz"):
        result = run("crawl", source, "--config", str(DEMO_CONFIG), "--base-url", demo_site_url, "--data-dir", data)
        assert result.returncode == 0, result.stderr
        assert re.search(r"incidents \[\d", result.stderr), result.stderr  # one per event (story)
    again = run("crawl", "weibo", "--config", str(DEMO_CONFIG), "--base-url", demo_site_url, "--data-dir", data)
    assert "0 new, 8 updated" in again.stderr  # idempotent by source:post_id


def test_crawl_of_an_unreachable_site_fails(tmp_path: Path) -> None:
    from support import free_port

    result = run("crawl", "baidu", "--base-url", f"http://127.0.0.1:{free_port()}", "--query", "x", "-o", "-")
    assert result.returncode == 1
    assert "baidu: unreachable (" in result.stderr and "Connection refused" in result.stderr


def test_a_failing_sink_keeps_the_posts_for_yuqing_ingest(demo_site_url: str, tmp_path: Path) -> None:
    """Writing to /dev/full fails; the crawled posts land in the dead-letter file,
    and `yuqing ingest` feeds them through the pipeline later."""
    data = tmp_path / "d"
    crawl = run(
        "crawl", "weibo", "--base-url", demo_site_url, "--query", "星河电器", "-o", "/dev/full", "--data-dir", str(data)
    )
    assert crawl.returncode == 1
    assert "8 posts not stored" in crawl.stderr
    dead = data / "dead-letter.jsonl"
    assert len(dead.read_text(encoding="utf-8").splitlines()) == 8

    with dead.open("a", encoding="utf-8") as f:
        f.write('{"not": "a post"}\n')
    ingest = run("ingest", str(dead), "--config", str(DEMO_CONFIG), "--data-dir", str(data))
    assert ingest.returncode == 1  # one bad line, said so; the good ones are stored
    # the Weibo page tells three stories (漏电, 异响 and its repost, 漏水): an incident per event,
    # except that an open 重大 (major) one inhibits new lesser incidents of its brand
    incidents = re.search(r"incidents \[([\d, ]+)\]", ingest.stderr)
    assert "8 posts, 8 new" in ingest.stderr and incidents and len(incidents[1].split(",")) >= 2, ingest.stderr
    assert "1 lines are not posts and were skipped (lines 9)" in ingest.stderr
    assert_one_line_error(run("ingest", str(tmp_path / "nope.jsonl")), "file not found")


def test_a_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "--port", str(port), "--data-dir", str(tmp_path / "d"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == f"yuqing: error: cannot listen on 127.0.0.1:{port} (in use?)"
