"""The admin API (brands, users, channels) and the numbers behind the trends screen."""

from __future__ import annotations

from datetime import timedelta

from support import webhook_receiver
from yuqing.alerting.notify.channels import build_notifier
from yuqing.post import Post
from yuqing.settings import ChannelSettings, SourceSettings


def ingest(services, now, post_id: str, text: str, source: str = "weibo") -> None:
    services.ingest([Post(source=source, post_id=post_id, url=f"https://x.example/{post_id}", text=text, fetched_at=now,
                          published_at=now - timedelta(hours=1))])  # fmt: skip


def test_users_are_managed_by_admins_only(client, login) -> None:
    admin, lead = login("admin"), login("lead")
    assert client.get("/api/admin/users", headers=lead).status_code == 403
    created = client.post(
        "/api/admin/users",
        json={"username": "wang", "role": "legal", "password": "long-enough", "email": "wang@brand.example"},
        headers=admin,
    )
    assert created.status_code == 201 and created.json()["role"] == "legal"
    assert login("wang", "long-enough")  # the new user signs in
    again = client.post(
        "/api/admin/users", json={"username": "wang", "role": "legal", "password": "long-enough"}, headers=admin
    )
    assert again.status_code == 409
    short = client.post("/api/admin/users", json={"username": "li", "role": "legal", "password": "x"}, headers=admin)
    assert short.status_code == 422
    changed = client.patch("/api/admin/users/wang", json={"role": "brand", "email": None}, headers=admin)
    assert changed.json()["role"] == "brand" and changed.json()["email"] is None
    assert client.patch("/api/admin/users/admin", json={"role": "brand"}, headers=admin).status_code == 409
    assert client.patch("/api/admin/users/nobody", json={"role": "brand"}, headers=admin).status_code == 404
    names = [u["username"] for u in client.get("/api/admin/users", headers=admin).json()]
    assert "wang" in names and "admin" in names


def test_brands_and_the_query_tester(client, login) -> None:
    lead = login("lead")
    [brand] = client.get("/api/admin/brands", headers=lead).json()
    assert brand["name"] == "星河电器" and "星河热水器" in brand["keywords"]
    hit = client.post("/api/admin/brands/match", json={"text": "我家的星河热水器漏电了"}, headers=lead).json()
    assert hit == {"brands": ["星河电器"]}
    assert client.post("/api/admin/brands/match", json={"text": "东方家电"}, headers=lead).json() == {"brands": []}
    assert client.get("/api/admin/brands", headers=login("brand")).status_code == 403
    assert client.get("/api/brands", headers=login("legal")).json() == ["星河电器"]


def test_channels_are_listed_without_secrets_and_can_be_tested(client, login, services) -> None:
    with webhook_receiver() as bot:
        channel = ChannelSettings(kind="wecom", url=bot.url, roles=["brand"])
        services.settings.notify.channels = {"brand-group": channel}
        services.dispatcher.notifiers["brand-group"] = build_notifier("brand-group", channel)
        admin = login("admin")
        listed = client.get("/api/admin/channels", headers=admin).json()
        assert [c["name"] for c in listed] == ["console", "brand-group"]
        assert "k-123" not in str(listed)  # the bot's key is in its URL: never shown
        assert client.post("/api/admin/channels/brand-group/test", headers=admin).json() == {"status": "sent"}
        assert "测试" in bot.requests[0].json["markdown"]["content"]
        bot.answers.append((200, {"errcode": 93000, "errmsg": "invalid webhook url"}))
        failed = client.post("/api/admin/channels/brand-group/test", headers=admin)
        assert failed.status_code == 502 and "93000" in failed.json()["detail"]
        assert client.post("/api/admin/channels/nope/test", headers=admin).status_code == 404
        assert client.post("/api/admin/channels/brand-group/test", headers=login("lead")).status_code == 403


def test_stats_count_terms_sources_and_clocks(client, login, services, now) -> None:
    ingest(services, now, "1", "星河热水器漏电，太垃圾了，我要投诉！")
    ingest(services, now, "2", "星河空调噪音大，垃圾产品，投诉无门", source="tieba")
    ingest(services, now, "3", "星河空调制冷很快，很满意")
    headers = login("brand")
    terms = client.get("/api/stats/terms", headers=headers).json()
    assert terms["posts"] == 2  # the negative ones
    top = {i["term"]: i["count"] for i in terms["items"]}
    # words, not the model's character n-grams; counted once per post; never the brand's own words
    assert top["垃圾"] == 2 and "投诉" in top
    assert list(top.values()) == sorted(top.values(), reverse=True)
    assert not {"星河空调", "星河热水器", "满意"} & set(top)
    services.settings.sources = {"weibo": SourceSettings(), "tieba": SourceSettings()}
    by_source = {i["source"]: i for i in client.get("/api/stats/sources", headers=headers).json()["items"]}
    assert by_source["weibo"]["negative"] == 1 and by_source["tieba"]["negative"] == 1
    assert by_source["weibo"]["neutral"] + by_source["weibo"]["positive"] == 1
    sla = {i["clock"]: i for i in client.get("/api/stats/sla", headers=headers).json()["items"]}
    assert sla["response"]["pending"] >= 1 and sla["response"]["breached"] == 0
    services.clock.advance(timedelta(hours=3))
    sla = {i["clock"]: i for i in client.get("/api/stats/sla", headers=headers).json()["items"]}
    assert sla["response"]["breached"] >= 1 and sla["response"]["pending"] == 0
