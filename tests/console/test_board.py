"""事件看板 in Chromium: the brand team sees the open incidents with their countdowns, and responds."""

from __future__ import annotations

from datetime import timedelta

from console_support import Console, login, shot


def test_brand_acknowledges_and_responds_from_the_board(console: Console, page) -> None:
    console.post("b1", "星河热水器漏电，洗澡时手麻，太危险了，售后一直推诿，我要投诉！")
    [incident] = console.call("GET", "/api/incidents", "brand")["items"]
    login(page, console, "brand")
    row = page.locator(f'#incidents tr[data-incident-id="{incident["id"]}"]')
    row.wait_for()
    assert "待处理" in row.inner_text()
    assert row.locator('td[data-clock="response"]').inner_text().startswith("剩")

    console.advance(timedelta(minutes=95))  # past 75 % of the 2 h: the response clock turns amber
    page.reload()
    row.locator("td.clock-near").first.wait_for()
    assert row.locator('td[data-clock="response"]').get_attribute("class") == "clock clock-near"
    shot(page, "console-board")

    row.get_by_role("button", name="认领").click()
    page.get_by_text(f"已认领事件 #{incident['id']}").wait_for()
    row.get_by_role("button", name="回应").click()
    row.get_by_label("回应说明").fill("已在微博评论区致歉并安排上门检修")
    row.get_by_role("button", name="提交").click()
    page.get_by_text(f"已回应事件 #{incident['id']}").wait_for()
    assert row.locator('td[data-clock="response"]').inner_text() == "已达成"
    assert console.call("GET", f"/api/incidents/{incident['id']}", "brand")["sla"]["response"] == "met"
    assert page.dialogs == []  # type: ignore[attr-defined]


def test_a_breached_clock_is_red_and_a_major_crisis_shows_the_director_clock(console: Console, page) -> None:
    created = console.call("POST", "/api/incidents", "lead", {"title": "热水器爆炸伤人", "severity": "major"})
    console.advance(timedelta(hours=2, minutes=5))
    login(page, console, "lead")
    row = page.locator(f'#incidents tr[data-incident-id="{created["id"]}"]')
    row.wait_for()
    assert row.locator('td[data-clock="response"]').get_attribute("class") == "clock clock-breached"
    assert row.locator('td[data-clock="director_report"]').inner_text().startswith("超时")
    assert "重大" in row.inner_text()
