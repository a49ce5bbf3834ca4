"""法务审核 in Chromium: legal reviews the statements the brand team submitted, oldest first."""

from __future__ import annotations

from datetime import timedelta

from console_support import Console, login, shot

TEXT = "关于星河热水器漏电问题的说明\n我们已第一时间联系用户并安排上门检修，涉事批次将免费更换。"


def submitted_statement(console: Console, title: str, text: str = TEXT) -> dict:
    """An incident and its statement as the brand team makes them: draft, then submit to legal."""
    incident = console.call("POST", "/api/incidents", "brand", {"title": title, "severity": "serious"})
    draft = console.call("POST", f"/api/incidents/{incident['id']}/statements", "brand", {"text": text})
    return console.call("POST", f"/api/statements/{draft['id']}/submit", "brand")


def test_legal_approves_a_statement_from_the_queue(console: Console, page) -> None:
    statement = submitted_statement(console, "热水器漏电投诉")
    login(page, console, "legal")
    assert page.url.endswith("#/legal")  # legal's home screen
    card = page.locator(f'article.legal-card[data-statement-id="{statement["id"]}"]')
    card.wait_for()
    assert page.locator("#legal-count").inner_text() == "1 份声明待审核"
    text = card.inner_text()
    assert "第 1 版" in text and "brand" in text and "热水器漏电投诉" in text
    assert "我们已第一时间联系用户并安排上门检修" in card.locator(".legal-text").inner_text()
    assert card.locator('[data-clock="statement"]').inner_text().startswith("剩 23小时")
    assert card.get_by_role("link").first.get_attribute("href") == f"#/incident/{statement['incident_id']}"
    shot(page, "console-legal")

    card.get_by_label("审核意见").fill("措辞已核对，可以发布")
    card.get_by_role("button", name="批准").click()
    page.get_by_text(f"已批准声明 #{statement['id']}（第 1 版）").wait_for()
    page.locator("#legal-empty").wait_for()
    assert page.locator("article.legal-card").count() == 0
    approved = console.call("GET", f"/api/statements/{statement['id']}", "legal")
    assert approved["state"] == "approved"
    assert approved["reviewer"] == "legal" and approved["review_comment"] == "措辞已核对，可以发布"


def test_a_rejection_needs_a_comment_and_the_queue_is_oldest_first(console: Console, page) -> None:
    first = submitted_statement(console, "空调异响")
    console.advance(timedelta(minutes=10))
    second = submitted_statement(console, "售后推诿")
    login(page, console, "legal")
    cards = page.locator("article.legal-card")
    cards.nth(1).wait_for()
    assert [cards.nth(i).get_attribute("data-statement-id") for i in range(2)] == [str(first["id"]), str(second["id"])]

    card = cards.first
    card.get_by_role("button", name="驳回").click()
    card.get_by_text("驳回时必须填写审核意见").wait_for()
    assert card.get_by_label("审核意见").get_attribute("aria-invalid") == "true"
    assert console.call("GET", f"/api/statements/{first['id']}", "legal")["state"] == "pending_legal"

    card.get_by_label("审核意见").fill("“免费更换”需先与售后确认范围")
    card.get_by_role("button", name="驳回").click()
    page.get_by_text(f"已驳回声明 #{first['id']}（第 1 版）").wait_for()
    page.locator(f'article.legal-card[data-statement-id="{first["id"]}"]').wait_for(state="detached")
    rejected = console.call("GET", f"/api/statements/{first['id']}", "legal")
    assert rejected["state"] == "rejected" and rejected["review_comment"] == "“免费更换”需先与售后确认范围"
    assert page.locator("article.legal-card").count() == 1


def test_a_new_version_arrives_live_with_the_previous_rejection(console: Console, page) -> None:
    statement = submitted_statement(console, "热水器漏电投诉")
    console.call("POST", f"/api/statements/{statement['id']}/reject", "legal", {"comment": "请删去“绝无质量问题”"})
    login(page, console, "legal")
    page.locator("#legal-empty").wait_for()
    v2 = console.call(
        "POST", f"/api/incidents/{statement['incident_id']}/statements", "brand", {"text": TEXT + "（修订）"}
    )
    console.call("POST", f"/api/statements/{v2['id']}/submit", "brand")
    card = page.locator(f'article.legal-card[data-statement-id="{v2["id"]}"]')
    card.wait_for()  # no reload: the statement change comes over the live stream
    assert "第 2 版" in card.inner_text()
    assert "上一版（第 1 版）驳回意见：请删去“绝无质量问题”" in card.inner_text()


def test_admin_sees_the_queue_but_cannot_decide(console: Console, page) -> None:
    submitted_statement(console, "热水器漏电投诉")
    login(page, console, "admin")
    page.goto(console.url + "/#/legal")
    page.locator("article.legal-card").wait_for()
    assert "只读：仅法务可以批准或驳回声明" in page.locator("article.legal-card").inner_text()
    assert page.get_by_role("button", name="批准").count() == 0
