"""A source whose pages need JavaScript, crawled in Chromium only because its
config says browser = true; the page's request to another host is aborted."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from support import replay_server, write_site, yuqing_command

CHROMIUM = Path("/usr/bin/chromium")

LIST = """<html><head><meta charset="utf-8"><title>家电论坛 - Powered by Discuz!</title></head><body>
<table id="threadlisttableid"><tbody id="normalthread_7"><tr><th>
<a href="forum.php?mod=viewthread&amp;tid=7" class="s xst">星河空调异响</a></th></tr></tbody></table></body></html>"""

# The posts exist only after the script runs, as on sites that render in the browser.
THREAD = """<html><head><meta charset="utf-8"><title>星河空调异响 - 家电论坛 - Powered by Discuz!</title>
<script src="http://cdn.tracker.invalid/track.js"></script></head><body><div id="app"></div>
<script>
const floors = [[701, "维权的张三", "2026-11-28 09:30:00", "星河空调异响三个月，售后推诿，我要投诉！"],
                [702, "路人甲", "2026-11-28 09:40:00", "同款问题，太差了"]];
let html = '<h1 class="ts"><span id="thread_subject">星河空调异响</span></h1><div id="postlist">';
for (const [pid, author, time, text] of floors) {
  html += '<div id="post_' + pid + '"><table><tr><td class="pls"><a class="xw1" href="space-uid-1.html">' + author +
          '</a></td><td class="plc"><em id="authorposton' + pid + '">发表于 ' + time + '</em>' +
          '<td class="t_f" id="postmessage_' + pid + '">' + text + '</td></td></tr></table></div>';
}
document.getElementById("app").innerHTML = html + '</div>';
</script></body></html>"""


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: `make test` installs it with apt")
def test_browser_renders_only_the_sources_that_need_it(tmp_path: Path) -> None:
    html = {"Content-Type": "text/html; charset=utf-8"}
    site = write_site(
        tmp_path / "site",
        [
            {"path": "/forum.php", "query": {"mod": "forumdisplay"}, "file": "list.html", "headers": html},
            {"path": "/forum.php", "query": {"mod": "viewthread", "tid": "7"}, "file": "thread.html", "headers": html},
        ],
        {"list.html": LIST.encode(), "thread.html": THREAD.encode()},
    )

    def crawl(browser: bool) -> tuple[list[dict], str]:
        config = tmp_path / f"c{browser}.toml"
        config.write_text(
            f"[crawl]\nobey_robots = false\ndownload_delay = 0.0\n[sources.discuz]\nbrowser = {str(browser).lower()}\n"
            "queries = ['forum.php?mod=forumdisplay&fid=2']\n",
            encoding="utf-8",
        )
        out = tmp_path / f"posts{browser}.jsonl"
        result = subprocess.run(
            yuqing_command(
                "crawl",
                "discuz",
                "--config",
                str(config),
                "--base-url",
                url,
                "-o",
                str(out),
                "--data-dir",
                str(tmp_path / "d"),
            ),
            capture_output=True,
            text=True,
            timeout=180,
        )
        posts = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
        return posts, result.stderr

    with replay_server(site) as url:
        plain, _ = crawl(browser=False)
        rendered, log = crawl(browser=True)

    assert plain == []  # without a browser the thread has no posts
    assert [p["post_id"] for p in rendered] == ["7-701", "7-702"], log
    assert rendered[0]["title"] == "星河空调异响" and "售后推诿" in rendered[0]["text"]
    assert rendered[0]["published_at"] == "2026-11-28T09:30:00+08:00"
    assert "1 in-page requests aborted" in log  # the tracker script on another host
