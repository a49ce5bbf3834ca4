"""A blocked source end to end: the real spiders against a replay server that
refuses them. The crawl says "blocked", not "no results"; the source's health
record keeps it, backs off, and a source alert opens an incident."""

from __future__ import annotations

import subprocess
from pathlib import Path

from support import replay_server, write_site, yuqing_command
from yuqing.alerting.incidents import list_incidents
from yuqing.services import Services
from yuqing.settings import load_settings
from yuqing.storage.posts import PostQuery

BAIDU_CHECK = "<html><head><title>百度安全验证</title></head><body>网络不给力，请稍后重试</body></html>".encode()


def crawl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(yuqing_command("crawl", *args), capture_output=True, text=True, timeout=120)


def test_blocked_sources_are_recorded_backed_off_and_alerted(tmp_path: Path) -> None:
    site = write_site(
        tmp_path / "site",
        [
            {"path": "/api/container/getIndex", "file": "empty.txt", "status": 418},
            {"path": "/s", "file": "check.html", "headers": {"Content-Type": "text/html; charset=utf-8"}},
            {
                "path": "/forum.php",
                "file": "empty.txt",
                "status": 302,
                "headers": {"Location": "https://wappass.baidu.com/static/captcha/tuxing.html?ak=1"},
            },
        ],
        {"empty.txt": b"", "check.html": BAIDU_CHECK},
    )
    data = tmp_path / "data"
    config = tmp_path / "c.toml"
    config.write_text(
        "[[brands]]\nname = '星河电器'\n[crawl]\nobey_robots = false\ndownload_delay = 0.0\n"
        "[sources.weibo]\ninterval_seconds = 600\n[sources.baidu]\n[sources.discuz]\nqueries = ['forum.php?fid=2']\n",
        encoding="utf-8",
    )
    common = ["--config", str(config), "--data-dir", str(data)]
    with replay_server(site) as url:
        weibo = crawl("weibo", "--base-url", url, *common)
        baidu = crawl("baidu", "--base-url", url, *common)
        discuz = crawl("discuz", "--base-url", url, *common)
        again = crawl("weibo", "--base-url", url, *common)

    for result, says in ((weibo, "HTTP 418"), (baidu, "百度安全验证"), (discuz, "captcha")):
        assert result.returncode == 1, result.stderr
        assert "blocked (" in result.stderr and says in result.stderr
        assert "Traceback" not in result.stderr

    services = Services(load_settings(config, data_dir=data))
    try:
        health = {h.source: h for h in services.health.all()}
        assert {s: h.status for s, h in health.items()} == {"weibo": "blocked", "baidu": "blocked", "discuz": "blocked"}
        weibo_health = health["weibo"]
        assert weibo_health.failures == 2 and weibo_health.last_success_at is None
        # 600 s interval, two failures in a row: the next run waits 4 × 600 s
        assert (weibo_health.next_run_at - weibo_health.last_run_at).total_seconds() == 2400
        with services.sessions() as session:
            incidents, _ = list_incidents(session)
        by_group = {i.group_key: i for i in incidents}
        assert set(by_group) == {"source:weibo", "source:baidu", "source:discuz"}
        assert by_group["source:weibo"].alert_count == 2
        assert "被封禁" in by_group["source:weibo"].title
        assert all(i.timers == [] for i in incidents)  # no crisis clock for a crawler problem
        assert services.posts.search(PostQuery()).total == 0  # a block is not "no results": nothing stored
    finally:
        services.close()
    assert "incidents [" in again.stderr
