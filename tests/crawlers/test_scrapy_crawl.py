"""`scrapy crawl` works beside `yuqing crawl` (scrapy.cfg names our settings)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from support import REPO


def test_scrapy_crawl_with_feed_export(demo_site_url: str, tmp_path: Path) -> None:
    out = tmp_path / "posts.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "weibo", "-a", f"base_url={demo_site_url}", "-a",
         "queries=星河电器", "-O", str(out), "-s", "LOG_LEVEL=WARNING"],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    posts = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(posts) == 8 and all(p["source"] == "weibo" and p["post_id"] for p in posts)
