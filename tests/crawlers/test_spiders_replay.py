"""Each spider end to end against the replay server (the demo's sample pages):
pagination, then an incremental second run that asks only for what is new."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from support import yuqing_command
from yuqing.demo import CONFIG as DEMO_CONFIG


def crawl(source: str, url: str, data: Path) -> tuple[int, int, str]:
    result = subprocess.run(
        yuqing_command(
            "crawl",
            source,
            "--config",
            str(DEMO_CONFIG),
            "--base-url",
            url,
            "--data-dir",
            str(data),
            "--max-pages",
            "3",
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    summary = result.stderr.strip().splitlines()[-1]
    match = re.search(r"(\d+) responses, (\d+) posts", summary)
    assert match, summary
    return int(match[1]), int(match[2]), summary


@pytest.mark.parametrize(
    ("source", "first_responses", "posts", "second_responses"),
    [
        # search page 1, then page 2 (Weibo's "这里还没有内容"; Baidu's pn=10 has no page: 404) ...
        ("weibo", 2, 8, 1),
        ("baidu", 2, 5, 1),
        ("baidu-news", 2, 5, 1),
        # the list page and its two threads; the second time the threads have no new replies
        ("discuz", 3, 7, 1),
        ("tieba", 3, 7, 1),  # kw:星河电器, its list in the pagelet comment; reply counts unchanged
        # the generic forum as configured (kind = "forum"): one thread has two pages; the second
        # time no list row changed
        ("repair-bbs", 4, 8, 1),
    ],
)
def test_pagination_then_an_incremental_second_run(
    demo_site_url: str, tmp_path: Path, source: str, first_responses: int, posts: int, second_responses: int
) -> None:
    responses, found, summary = crawl(source, demo_site_url, tmp_path / "d")
    assert (responses, found) == (first_responses, posts), summary
    assert f"{posts} new" in summary
    responses, found, summary = crawl(source, demo_site_url, tmp_path / "d")
    assert responses == second_responses, summary
    assert " 0 new" in summary  # nothing new, and said so, not "blocked"
    assert summary.startswith(f"{source}: ok") or summary.startswith(f"{source}: empty")
