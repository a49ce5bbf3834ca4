"""Marking a post as wrongly classified: kept per user, listed for leads, exported for retraining."""

from __future__ import annotations

import csv

from yuqing.cli import main
from yuqing.post import Post


def stored_post(services, now) -> Post:
    post = Post(
        source="weibo", post_id="f1", url="https://m.weibo.cn/detail/f1",
        text="星河热水器的客服真是太“好”了，等了三天没人理", fetched_at=now,
    )  # fmt: skip
    services.ingest([post])
    return services.posts.get(post.key)


def test_feedback_is_kept_per_user_and_exported_as_training_rows(
    client, login, services, now, tmp_path, capsys
) -> None:
    post = stored_post(services, now)
    brand = login("brand")
    first = client.post(f"/api/posts/{post.key}/feedback", json={"label": "positive"}, headers=brand)
    assert first.status_code == 201, first.text
    assert first.json()["predicted"] == post.analysis.sentiment and first.json()["label"] == "positive"
    # the same user changes their mind: one row, the latest label
    again = client.post(f"/api/posts/{post.key}/feedback", json={"label": "negative", "note": "反讽"}, headers=brand)
    assert again.json()["id"] == first.json()["id"] and again.json()["note"] == "反讽"
    client.post(f"/api/posts/{post.key}/feedback", json={"label": "neutral"}, headers=login("lead"))

    assert client.get("/api/feedback", headers=brand).status_code == 403
    rows = client.get("/api/feedback", headers=login("lead")).json()
    assert sorted((r["username"], r["label"]) for r in rows) == [("brand", "negative"), ("lead", "neutral")]

    out = tmp_path / "feedback.csv"
    assert main(["feedback", "export", "--data-dir", str(services.settings.data_dir), "--out", str(out)]) == 0
    with out.open(encoding="utf-8", newline="") as f:
        exported = list(csv.DictReader(f))
    assert sorted(r["label"] for r in exported) == ["0", "1"]  # 0 = negative, as `yuqing train` reads it
    assert all(r["text"] == post.text for r in exported)
    assert "2 corrections" in capsys.readouterr().err


def test_feedback_errors(client, login, services, now) -> None:
    post = stored_post(services, now)
    headers = login("brand")
    assert client.post("/api/posts/weibo:nope/feedback", json={"label": "negative"}, headers=headers).status_code == 404
    assert client.post(f"/api/posts/{post.key}/feedback", json={"label": "angry"}, headers=headers).status_code == 422
    assert client.post(f"/api/posts/{post.key}/feedback", json={"label": "negative"}).status_code == 401
