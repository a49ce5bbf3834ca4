"""Official statements through HTTP (issue 5): draft -> pending_legal -> approved | rejected -> published.

Legal signs off the exact text; an edit after approval needs a new approval; publishing meets the
incident's 24 h statement clock; the timeline keeps every version and decision with its content hash.
"""

from __future__ import annotations

import hashlib

import pytest
from workflow_http import Api

TEXT = "关于热水器漏电的说明：已召回涉事批次。"


@pytest.fixture
def api(client, login, services) -> Api:
    return Api(client, login, services)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_draft_answers_201_with_version_1_in_draft(api) -> None:
    incident = api.open()
    body = api.draft(incident["id"], TEXT)
    assert isinstance(body["id"], int)
    assert (body["incident_id"], body["version"], body["state"], body["author"]) == (
        incident["id"],
        1,
        "draft",
        "brand",
    )
    assert body["text"] == TEXT
    assert body["content_hash"] == sha256(TEXT)
    assert body["approved_hash"] is None
    assert api.ok("GET", f"/api/statements/{body['id']}", "legal")["state"] == "draft"
    assert [s["id"] for s in api.ok("GET", f"/api/incidents/{incident['id']}/statements")] == [body["id"]]


@pytest.mark.parametrize("state", ["draft", "pending_legal", "rejected"])
def test_publishing_a_statement_that_is_not_approved_is_409(api, state) -> None:
    incident = api.open()
    s = api.draft(incident["id"])
    if state != "draft":
        api.statement(s["id"], "submit")
    if state == "rejected":
        api.statement(s["id"], "reject", "legal", {"comment": "措辞不当"})
    response = api.call("POST", f"/api/statements/{s['id']}/publish")
    assert response.status_code == 409
    assert state in response.json()["detail"]
    assert api.ok("GET", f"/api/statements/{s['id']}")["state"] == state
    assert api.incident(incident["id"])["sla"]["statement"] == "pending"


def test_submitting_sends_the_statement_to_legal_with_a_console_notice(api) -> None:
    incident = api.open()
    s = api.draft(incident["id"])
    api.advance(minutes=20)
    body = api.statement(s["id"], "submit", "lead")
    assert (body["state"], body["submitted_at"]) == ("pending_legal", "2026-11-28T10:20:00+08:00")
    api.tick()
    assert api.sent_to(incident["id"], "console:legal") == [f"statement:{s['id']}:待审核"]
    [submitted] = api.entries(incident["id"], "statement_submitted")
    assert (submitted["actor"], submitted["details"]["version"]) == ("lead", 1)


def test_submitting_twice_is_409(api) -> None:
    incident = api.open()
    s = api.draft(incident["id"])
    api.statement(s["id"], "submit")
    response = api.call("POST", f"/api/statements/{s['id']}/submit")
    assert response.status_code == 409
    assert response.json()["detail"] == "only a draft goes to legal; this one is pending_legal"


def test_legal_approves_a_pending_statement_and_the_brand_team_hears_of_it(api) -> None:
    incident = api.open()
    s = api.draft(incident["id"], TEXT)
    api.statement(s["id"], "submit")
    api.advance(minutes=30)
    body = api.statement(s["id"], "approve", "legal", {"comment": "同意"})
    assert body["state"] == "approved"
    assert (body["reviewer"], body["review_comment"]) == ("legal", "同意")
    assert body["reviewed_at"] == "2026-11-28T10:30:00+08:00"
    assert body["approved_hash"] == body["content_hash"] == sha256(TEXT)
    api.tick()
    assert f"statement:{s['id']}:已批准" in api.sent_to(incident["id"], "console:brand")
    assert f"statement:{s['id']}:已批准" in api.sent_to(incident["id"], "console:brand_lead")


def test_approving_without_a_body_is_allowed(api) -> None:
    incident = api.open()
    s = api.draft(incident["id"])
    api.statement(s["id"], "submit")
    body = api.statement(s["id"], "approve", "legal")
    assert (body["state"], body["review_comment"]) == ("approved", None)


def test_approving_a_draft_that_was_never_submitted_is_409(api) -> None:
    incident = api.open()
    s = api.draft(incident["id"])
    response = api.call("POST", f"/api/statements/{s['id']}/approve", "legal", {"comment": "好"})
    assert response.status_code == 409
    assert "draft" in response.json()["detail"]


def test_an_edit_after_approval_needs_a_new_approval(api) -> None:
    incident = api.open()
    s = api.approved(incident["id"])
    edited = api.ok("PUT", f"/api/statements/{s['id']}", "brand", {"text": TEXT + "（补充：已开通热线）"})
    assert edited["state"] == "draft"
    assert edited["version"] == 1  # the same version, back in draft
    assert edited["approved_hash"] is None and edited["reviewer"] is None
    assert edited["content_hash"] == sha256(TEXT + "（补充：已开通热线）")
    response = api.call("POST", f"/api/statements/{s['id']}/publish")
    assert response.status_code == 409
    api.statement(s["id"], "submit")
    assert api.call("POST", f"/api/statements/{s['id']}/publish").status_code == 409
    api.statement(s["id"], "approve", "legal")
    published = api.statement(s["id"], "publish")
    assert published["state"] == "published"
    assert published["text"] == TEXT + "（补充：已开通热线）"
    assert published["approved_hash"] == published["content_hash"]
    [edit] = api.entries(incident["id"], "statement_edited")
    assert edit["details"]["review_voided"] is True


def test_an_edit_while_pending_takes_the_statement_out_of_legals_queue(api) -> None:
    incident = api.open()
    s = api.draft(incident["id"])
    api.statement(s["id"], "submit")
    api.ok("PUT", f"/api/statements/{s['id']}", "lead", {"text": "改过的声明"})
    assert api.ok("GET", "/api/statements", "legal", params={"state": "pending_legal"}) == []
    response = api.call("POST", f"/api/statements/{s['id']}/approve", "legal")
    assert response.status_code == 409


def test_legal_is_told_again_when_an_edited_statement_is_resubmitted(api) -> None:
    incident = api.open()
    s = api.approved(incident["id"])
    api.tick()
    api.ok("PUT", f"/api/statements/{s['id']}", "brand", {"text": TEXT + "（修订）"})
    api.advance(minutes=10)
    api.statement(s["id"], "submit")
    api.tick()
    assert len(api.entries(incident["id"], "statement_submitted")) == 2
    assert len(api.sent_to(incident["id"], "console:legal")) == 2


def test_a_rejected_version_stays_and_a_new_post_makes_version_2(api) -> None:
    incident = api.open()
    first = api.draft(incident["id"], "第一版")
    api.statement(first["id"], "submit")
    rejected = api.statement(first["id"], "reject", "legal", {"comment": "不要承认责任"})
    assert (rejected["state"], rejected["review_comment"], rejected["reviewer"]) == (
        "rejected",
        "不要承认责任",
        "legal",
    )
    api.tick()
    assert f"statement:{first['id']}:被驳回" in api.sent_to(incident["id"], "console:brand")
    response = api.call("PUT", f"/api/statements/{first['id']}", json={"text": "改第一版"})
    assert response.status_code == 409  # a rejected version is the record of what legal refused
    second = api.draft(incident["id"], "第二版")
    assert (second["version"], second["state"]) == (2, "draft")
    assert second["id"] != first["id"]
    assert api.ok("GET", f"/api/statements/{first['id']}")["text"] == "第一版"
    versions = api.ok("GET", f"/api/incidents/{incident['id']}/statements")
    assert [(v["version"], v["state"]) for v in versions] == [(1, "rejected"), (2, "draft")]


def test_a_new_version_while_one_is_in_progress_is_409(api) -> None:
    incident = api.open()
    api.draft(incident["id"])
    response = api.call("POST", f"/api/incidents/{incident['id']}/statements", json={"text": "另一版"})
    assert response.status_code == 409
    assert response.json()["detail"]


def test_rejecting_without_a_comment_is_422(api) -> None:
    incident = api.open()
    s = api.draft(incident["id"])
    api.statement(s["id"], "submit")
    for body in (None, {"comment": "  "}, {}):
        response = api.call("POST", f"/api/statements/{s['id']}/reject", "legal", body)
        assert response.status_code == 422, body
        assert "comment" in response.json()["detail"]
    assert api.ok("GET", f"/api/statements/{s['id']}")["state"] == "pending_legal"


def test_publishing_the_approved_version_meets_the_statement_clock(api) -> None:
    incident = api.open()
    s = api.approved(incident["id"])
    api.advance(hours=5)
    body = api.statement(s["id"], "publish", "lead")
    assert (body["state"], body["published_by"], body["published_at"]) == (
        "published",
        "lead",
        "2026-11-28T15:00:00+08:00",
    )
    got = api.incident(incident["id"])
    assert got["sla"]["statement"] == "met"
    [timer] = [t for t in got["timers"] if t["kind"] == "statement"]
    assert (timer["met_at"], timer["met_by"]) == ("2026-11-28T15:00:00+08:00", "lead")
    [published] = api.entries(incident["id"], "statement_published")
    assert (published["details"]["clock_met"], published["details"]["late"]) == ("statement", False)
    api.advance(hours=30)
    api.tick()
    assert [e for e in api.entries(incident["id"], "breach") if e["details"]["clock"] == "statement"] == []


def test_a_published_statement_cannot_be_published_edited_or_followed_by_a_new_version(api) -> None:
    incident = api.open()
    s = api.approved(incident["id"])
    api.statement(s["id"], "publish")
    assert api.call("POST", f"/api/statements/{s['id']}/publish").status_code == 409
    assert api.call("PUT", f"/api/statements/{s['id']}", json={"text": "改"}).status_code == 409
    response = api.call("POST", f"/api/incidents/{incident['id']}/statements", json={"text": "新一版"})
    assert response.status_code == 409
    assert "published" in response.json()["detail"]
    assert len(api.entries(incident["id"], "statement_published")) == 1


def test_the_statement_clock_warns_at_18_hours_and_breaches_at_24(api) -> None:
    incident = api.open()
    api.act(incident["id"], "respond", json={"note": "已回应"})
    api.tick()
    api.advance(hours=18)
    api.tick()
    [warning] = api.entries(incident["id"], "warning")
    assert (warning["details"]["clock"], warning["at"]) == ("statement", "2026-11-29T04:00:00+08:00")
    assert "statement:0:0" in api.sent_to(incident["id"], "console:brand_lead")
    api.advance(hours=6)
    api.tick()
    assert api.entries(incident["id"], "breach") == []  # the deadline itself is still in time
    api.advance(seconds=1)
    api.tick()
    [breach] = api.entries(incident["id"], "breach")
    assert (breach["details"]["clock"], breach["at"]) == ("statement", "2026-11-29T10:00:01+08:00")
    assert api.sent_to(incident["id"], "console:director") == ["statement:1:0"]
    api.advance(minutes=1)
    assert api.incident(incident["id"])["sla"]["statement"] == "breached"
    s = api.approved(incident["id"])
    api.statement(s["id"], "publish")
    assert api.incident(incident["id"])["sla"]["statement"] == "breached"
    [published] = api.entries(incident["id"], "statement_published")
    assert published["details"]["late"] is True


def test_the_timeline_records_each_version_and_decision_with_its_content_hash(api) -> None:
    incident = api.open()
    v1 = api.draft(incident["id"], "第一版")
    api.statement(v1["id"], "submit")
    api.statement(v1["id"], "reject", "legal", {"comment": "重写"})
    v2 = api.draft(incident["id"], "第二版", user="lead")
    api.statement(v2["id"], "submit", "lead")
    api.statement(v2["id"], "approve", "legal", {"comment": "同意"})
    api.ok("PUT", f"/api/statements/{v2['id']}", "lead", {"text": "第二版（定稿）"})
    api.statement(v2["id"], "submit", "lead")
    api.statement(v2["id"], "approve", "legal")
    api.statement(v2["id"], "publish")
    data = api.timeline(incident["id"])
    assert data["intact"] is True
    trail = [
        (e["kind"], e["actor"], e["details"]["statement_id"], e["details"]["version"], e["details"]["content_hash"])
        for e in data["items"]
        if e["kind"].startswith("statement_")
    ]
    assert trail == [
        ("statement_drafted", "brand", v1["id"], 1, sha256("第一版")),
        ("statement_submitted", "brand", v1["id"], 1, sha256("第一版")),
        ("statement_rejected", "legal", v1["id"], 1, sha256("第一版")),
        ("statement_drafted", "lead", v2["id"], 2, sha256("第二版")),
        ("statement_submitted", "lead", v2["id"], 2, sha256("第二版")),
        ("statement_approved", "legal", v2["id"], 2, sha256("第二版")),
        ("statement_edited", "lead", v2["id"], 2, sha256("第二版（定稿）")),
        ("statement_submitted", "lead", v2["id"], 2, sha256("第二版（定稿）")),
        ("statement_approved", "legal", v2["id"], 2, sha256("第二版（定稿）")),
        ("statement_published", "brand", v2["id"], 2, sha256("第二版（定稿）")),
    ]
    decisions = {e["kind"]: e["details"]["comment"] for e in data["items"] if e["kind"] == "statement_rejected"}
    assert decisions == {"statement_rejected": "重写"}


def test_legals_queue_lists_pending_statements_oldest_submission_first(api) -> None:
    incidents = [api.open(title=f"事件{i}") for i in range(4)]
    drafts = [api.draft(i["id"], f"声明{n}") for n, i in enumerate(incidents)]
    for n in (2, 0, 3, 1):  # submitted in another order than drafted
        api.advance(minutes=7)
        api.statement(drafts[n]["id"], "submit")
    api.statement(drafts[3]["id"], "approve", "legal")  # decided: out of the queue
    queue = api.ok("GET", "/api/statements", "legal", params={"state": "pending_legal"})
    assert [(s["id"], s["state"]) for s in queue] == [
        (drafts[2]["id"], "pending_legal"),
        (drafts[0]["id"], "pending_legal"),
        (drafts[1]["id"], "pending_legal"),
    ]
    assert [s["submitted_at"] for s in queue] == [
        "2026-11-28T10:07:00+08:00",
        "2026-11-28T10:14:00+08:00",
        "2026-11-28T10:28:00+08:00",
    ]
    assert queue[0]["statement_due"] == incidents[2]["deadlines"]["statement_due"]


def test_the_queue_refuses_an_unknown_state(api) -> None:
    response = api.call("GET", "/api/statements", "legal", params={"state": "lost"})
    assert response.status_code == 422
    assert response.json()["detail"]


def test_every_statement_answer_carries_the_statement_deadline(api) -> None:
    incident = api.open()
    s = api.draft(incident["id"])
    due = incident["deadlines"]["statement_due"]
    assert api.ok("GET", f"/api/statements/{s['id']}")["statement_due"] == due
    assert s["statement_due"] == due
    assert api.statement(s["id"], "submit")["statement_due"] == due
