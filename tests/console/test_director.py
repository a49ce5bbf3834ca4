"""总监视图 in Chromium: the director sees major crises and breached clocks, nothing else, and acknowledges."""

from __future__ import annotations

from datetime import timedelta

from console_support import Console, login, shot


def test_director_acknowledges_a_major_crisis(console: Console, page) -> None:
    major = console.call(
        "POST", "/api/incidents", "lead",
        {"title": "热水器爆炸伤人", "severity": "major", "summary": "多地用户反映热水器爆裂，已有一人受伤送医。"},
    )  # fmt: skip
    general = console.call("POST", "/api/incidents", "brand", {"title": "客服回复慢", "severity": "general"})
    login(page, console, "director")
    assert page.url.endswith("#/director")  # the director's home screen
    card = page.locator(f'article.crisis[data-incident-id="{major["id"]}"]')
    card.wait_for()
    text = card.inner_text()
    assert "重大危机" in text and "热水器爆炸伤人" in text and "星河电器" in text
    assert "多地用户反映热水器爆裂" in text
    assert card.locator('[data-clock="director_report"]').inner_text().startswith("总监报告 剩 1小时")
    assert page.locator(f'article.crisis[data-incident-id="{general["id"]}"]').count() == 0
    assert page.locator("article.crisis").count() == 1
    shot(page, "console-director")

    card.get_by_role("button", name="确认接收").click()
    page.get_by_text(f"已确认接收事件 #{major['id']} 的总监报告").wait_for()
    card.get_by_text("已确认接收（director，").wait_for()
    assert card.get_by_role("button", name="确认接收").count() == 0
    assert card.locator('[data-clock="director_report"]').inner_text() == "总监报告 已达成"
    assert console.call("GET", f"/api/incidents/{major['id']}", "director")["sla"]["director_report"] == "met"


def test_a_general_incident_shows_once_a_clock_is_breached(console: Console, page) -> None:
    general = console.call("POST", "/api/incidents", "brand", {"title": "客服回复慢", "severity": "general"})
    login(page, console, "director")
    page.locator("#crises-empty").wait_for()
    assert page.locator("#crises-empty").inner_text() == "当前没有重大危机或超时事件"

    console.advance(timedelta(hours=2, minutes=1))  # the response clock breaches; the ticker says so live
    card = page.locator(f'article.crisis[data-incident-id="{general["id"]}"]')
    card.wait_for()
    assert "已超时：响应" in card.inner_text()
    assert card.locator('[data-clock="response"]').get_attribute("class") == "clock clock-breached"
    assert card.get_by_role("button", name="确认接收").count() == 0  # no director clock on a general incident


def test_brand_lead_sees_the_view_without_the_director_action(console: Console, page) -> None:
    major = console.call("POST", "/api/incidents", "lead", {"title": "热水器爆炸伤人", "severity": "major"})
    login(page, console, "lead")
    page.locator('#nav a[data-screen="director"]').click()
    card = page.locator(f'article.crisis[data-incident-id="{major["id"]}"]')
    card.wait_for()
    assert card.get_by_role("button", name="确认接收").count() == 0


def test_the_view_switches_to_english(console: Console, page) -> None:
    major = console.call("POST", "/api/incidents", "lead", {"title": "热水器爆炸伤人", "severity": "major"})
    login(page, console, "director")
    page.get_by_role("button", name="English").click()
    card = page.locator(f'article.crisis[data-incident-id="{major["id"]}"]')
    card.get_by_role("button", name="Acknowledge receipt").wait_for()
    assert page.locator("#director-view h2").inner_text().startswith("Director")
    assert "Major crisis" in card.inner_text()
    assert card.locator('[data-clock="director_report"]').inner_text().startswith("Director report 1h ")
    assert {"Director", "Trends", "Source health"} <= set(page.locator("#nav a").all_inner_texts())
