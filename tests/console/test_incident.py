"""The incident page in Chromium: the brand team responds and writes the statement, legal
reviews it, the brand team publishes it; each role sees only the buttons it may use."""

from __future__ import annotations

from datetime import timedelta

from console_support import Console, login, shot

V1 = "关于星河热水器漏电问题的说明：我们对此深表歉意，将全面排查。"
V1_EDITED = "关于星河热水器漏电问题的说明：我们对此深表歉意，已联系用户，将全面排查。"
V2 = "关于星河热水器漏电问题的说明：我们对此深表歉意，已联系用户上门检修，并将全面排查同批次产品。"


def open_incident(page, console: Console, user: str, incident_id: int) -> None:  # noqa: ANN001
    login(page, console, user)
    page.goto(f"{console.url}/#/incident/{incident_id}")
    page.locator("#incident-timeline").wait_for()


def second_page(browser, console: Console, user: str, incident_id: int):  # noqa: ANN001, ANN201
    """Another person at another browser (their own context: their own session)."""
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1440, "height": 900})
    other = context.new_page()
    open_incident(other, console, user, incident_id)
    return other


def buttons(page) -> set[str]:  # noqa: ANN001
    """The visible buttons for the incident and its statements (not the posts' feedback buttons)."""
    found = page.locator("#incident-actions button:visible, #incident-statements button:visible").all()
    return {b.inner_text().strip() for b in found}


def version(page, n: int):  # noqa: ANN001, ANN201
    return page.locator(f'#incident-statements .statement[data-version="{n}"]')


def done(page, text: str) -> None:  # noqa: ANN001
    page.locator("#incident-status").filter(has_text=text).wait_for()


def test_brand_responds_legal_reviews_brand_publishes(console: Console, page, browser) -> None:
    console.post("i1", "星河热水器漏电，洗澡时手麻，太危险了，售后一直推诿，我要投诉！", reposts=50)
    [incident] = console.call("GET", "/api/incidents", "brand")["items"]
    iid = incident["id"]

    # the brand team arrives from the board
    login(page, console, "brand")
    page.locator(f'#incidents tr[data-incident-id="{iid}"] a').click()
    page.locator("#incident-timeline").wait_for()
    assert page.locator("#incident-state").inner_text() == "待处理"
    assert page.locator('#incident-clocks [data-clock="response"]').inner_text().startswith("响应")
    assert page.locator('#incident-posts article[data-key="weibo:i1"] .post-text mark').count() > 0
    assert "事件编号" in page.locator("#incident-event").inner_text()
    assert {"认领", "回应", "起草新版本"} <= buttons(page)
    assert not {"批准", "驳回", "解决", "调整级别", "总监确认收悉"} & buttons(page)

    page.get_by_role("button", name="回应", exact=True).click()
    page.get_by_label("回应说明").fill("已在微博评论区致歉并安排上门检修")
    page.locator('form[data-form="respond"]').get_by_role("button", name="提交").click()
    done(page, "已回应")
    page.locator("#incident-state").filter(has_text="已回应").wait_for()
    assert page.locator('#incident-clocks [data-clock="response"] strong').inner_text() == "已达成"
    assert "回应" not in buttons(page) and "认领" not in buttons(page)

    # statement: draft, edit (the edit's diff shows), submit
    page.get_by_role("button", name="起草新版本").click()
    page.locator('form[data-form="draft"]').get_by_label("声明正文").fill(V1)
    page.locator('form[data-form="draft"]').get_by_role("button", name="提交").click()
    done(page, "已起草第 1 版")
    v1 = version(page, 1)
    assert "草稿" in v1.inner_text()
    v1.get_by_role("button", name="编辑").click()
    v1.get_by_label("声明正文").fill(V1_EDITED)
    v1.get_by_role("button", name="保存修改").click()
    done(page, "已保存第 1 版的修改")
    assert v1.locator(".edit-diff ins").inner_text() == "已联系用户，"
    v1.get_by_role("button", name="提交法务审核").click()
    done(page, "第 1 版已提交法务审核")
    assert "待法务审核" in v1.inner_text()
    assert "批准" not in buttons(page)  # the brand team never reviews

    # legal, at another browser: no incident buttons; rejects with a comment
    legal = second_page(browser, console, "legal", iid)
    assert buttons(legal) == {"批准", "驳回"}
    legal_v1 = version(legal, 1)
    legal_v1.get_by_role("button", name="驳回", exact=True).click()
    legal_v1.get_by_label("驳回意见").fill("请写明检修时间和赔偿方案")
    legal_v1.get_by_role("button", name="确认驳回").click()
    done(legal, "第 1 版已驳回")

    # the brand page follows live: a second version, started from the first, shows its diff
    v1.locator(".st-state").filter(has_text="已驳回").wait_for()
    assert "请写明检修时间和赔偿方案" in v1.inner_text()
    page.get_by_role("button", name="起草新版本").click()
    draft = page.locator('form[data-form="draft"]').get_by_label("声明正文")
    assert draft.input_value() == V1_EDITED
    draft.fill(V2)
    page.locator('form[data-form="draft"]').get_by_role("button", name="提交").click()
    done(page, "已起草第 2 版")
    diff = page.locator('#incident-statements .version-diff[data-from="1"][data-to="2"]')
    assert diff.locator("ins").all_inner_texts() == ["上门检修", "并", "同批次产品"]
    assert diff.locator("del").count() == 0
    version(page, 2).get_by_role("button", name="提交法务审核").click()
    done(page, "第 2 版已提交法务审核")

    legal_v2 = version(legal, 2)
    legal_v2.get_by_role("button", name="批准", exact=True).wait_for()
    legal_v2.get_by_role("button", name="批准", exact=True).click()
    legal_v2.get_by_label("审核意见").fill("同意发布")
    legal_v2.get_by_role("button", name="确认批准").click()
    done(legal, "第 2 版已批准")
    shot(legal, "console-incident-legal")
    legal.context.close()

    v2 = version(page, 2)
    v2.get_by_role("button", name="发布").click()
    done(page, "第 2 版已发布")
    assert "已发布" in v2.inner_text()
    assert page.locator('#incident-clocks [data-clock="statement"] strong').inner_text() == "已达成"
    assert "起草新版本" not in buttons(page)  # one statement is published: no further version

    timeline = page.locator("#incident-timeline")
    timeline.locator('tr[data-kind="statement_published"]').wait_for()
    words = timeline.inner_text()
    for kind in ("发现事件", "回应", "起草声明", "修改声明", "法务驳回声明", "法务批准声明", "发布声明"):
        assert kind in words, kind
    assert "记录链完整" in page.locator("#timeline-intact").inner_text()
    assert console.call("GET", f"/api/incidents/{iid}", "brand")["sla"]["statement"] == "met"
    shot(page, "console-incident")
    assert page.dialogs == []  # type: ignore[attr-defined]


def test_each_role_sees_only_its_buttons_and_the_director_acknowledges(console: Console, page, browser) -> None:
    created = console.call("POST", "/api/incidents", "lead", {"title": "热水器爆炸伤人", "severity": "major"})
    iid = created["id"]

    open_incident(page, console, "director", iid)
    assert buttons(page) == {"总监确认收悉", "调整级别"}
    page.get_by_role("button", name="总监确认收悉").click()
    done(page, "已确认收悉")
    assert page.locator('#incident-clocks [data-clock="director_report"] strong').inner_text() == "已达成"
    assert buttons(page) == {"调整级别"}
    page.locator('tr[data-kind="director_acknowledged"]').wait_for()
    assert "总监确认收悉" in page.locator("#incident-timeline").inner_text()

    for user, expected in {
        "legal": set(),
        "admin": set(),
        "brand": {"认领", "回应", "起草新版本"},
        "lead": {"认领", "回应", "起草新版本", "调整级别"},
    }.items():
        other = second_page(browser, console, user, iid)
        assert buttons(other) == expected, user
        if user == "legal":
            assert "没有可执行的操作" in other.locator("#incident-actions").inner_text()
        other.context.close()

    # the brand lead responds and, once responded, may resolve; severity goes down with a reason
    console.call("POST", f"/api/incidents/{iid}/respond", "brand", {"note": "已发布致歉声明"})
    lead = second_page(browser, console, "lead", iid)
    assert {"解决", "调整级别"} <= buttons(lead)
    lead.get_by_role("button", name="调整级别").click()
    lead.get_by_label("新级别").select_option("serious")
    lead.get_by_label("调整原因").fill("伤情轻微，已核实")
    lead.locator('form[data-form="severity"]').get_by_role("button", name="提交").click()
    done(lead, "级别已调整")
    lead.locator("#incident-severity").filter(has_text="较大").wait_for()
    lead.get_by_role("button", name="解决", exact=True).click()
    lead.get_by_label("结案说明").fill("已赔付并召回同批次")
    lead.locator('form[data-form="resolve"]').get_by_role("button", name="提交").click()
    done(lead, "已解决")
    lead.locator("#incident-state").filter(has_text="已解决").wait_for()
    assert buttons(lead) == set()
    shot(lead, "console-incident-resolved")
    lead.context.close()


def test_the_page_follows_live_changes_and_keeps_a_form_being_typed(console: Console, page) -> None:
    console.post("l1", "星河空调漏氟，制冷失效，售后推诿，差评！")
    [incident] = console.call("GET", "/api/incidents", "brand")["items"]
    open_incident(page, console, "brand", incident["id"])
    page.get_by_role("button", name="回应", exact=True).click()
    page.get_by_label("回应说明").fill("正在联系用户")

    console.call("POST", f"/api/incidents/{incident['id']}/ack", "lead")  # someone else acts
    page.locator("#incident-state").filter(has_text="已认领").wait_for()
    assert page.get_by_label("回应说明").input_value() == "正在联系用户"  # still open, still typed
    console.advance(timedelta(minutes=95))  # the response clock turns amber, live
    page.locator('#incident-clocks [data-clock="response"].clock-near').wait_for()
