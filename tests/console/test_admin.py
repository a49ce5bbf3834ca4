"""管理 in Chromium: brands and the query tester, users and roles, channels, silences; and each role's navigation."""

from __future__ import annotations

import re

import pytest
from console_support import BRAND, Console, login, shot

from support import webhook_receiver
from yuqing.alerting.notify.channels import build_notifier
from yuqing.settings import ChannelSettings

MY_SCREENS = ("legal", "director", "trends", "sources", "admin")
NAV = {
    "brand": {"trends", "sources"},
    "lead": {"director", "trends", "sources", "admin"},
    "legal": {"legal"},
    "director": {"director", "trends", "sources"},
    "admin": {"legal", "director", "trends", "sources", "admin"},
}


HOME_LOADED = {  # each role's home screen, loaded (typed-in screens must not race it)
    "brand": "#incident-count >> text=共 0 个未结事件",
    "lead": "#incident-count >> text=共 0 个未结事件",
    "legal": "#legal-empty >> visible=true",
    "director": "#crises-empty >> visible=true",
    "admin": "#admin-silences",
}


def add_channel(console: Console, name: str, url: str) -> None:
    """A WeCom group bot channel, as ``[notify.channels.NAME]`` in the settings file makes one."""
    channel = ChannelSettings(kind="wecom", url=url, roles=["brand", "director"], severities=["major"])
    console.services.settings.notify.channels[name] = channel
    console.services.dispatcher.notifiers[name] = build_notifier(name, channel)


def open_admin(page, console: Console, user: str) -> None:  # noqa: ANN001
    login(page, console, user)
    page.locator('#nav a[data-screen="admin"]').click()
    page.locator("#admin-silences").wait_for()


@pytest.mark.parametrize("user", NAV)
def test_each_role_sees_only_its_screens(console: Console, page, user: str) -> None:
    login(page, console, user)
    page.locator(HOME_LOADED[user]).wait_for()
    shown = {a.get_attribute("data-screen") for a in page.locator("#nav a").all()}
    assert shown & set(MY_SCREENS) == NAV[user]
    for screen in set(MY_SCREENS) - NAV[user]:  # typed in, the screen refuses too
        page.goto(f"{console.url}/#/{screen}")
        page.get_by_text("您的角色无权执行此操作").wait_for()


def test_admin_adds_a_user_who_can_then_sign_in(console: Console, page) -> None:
    open_admin(page, console, "admin")
    form = page.locator("#add-user")
    form.get_by_label("用户名").fill("wang.legal")
    form.get_by_label("角色").select_option(label="法务")
    form.get_by_label("密码").fill("s3cret-pass")
    form.get_by_label("邮箱").fill("wang@example.com")
    form.get_by_role("button", name="添加用户").click()
    page.get_by_text("已添加用户 wang.legal").wait_for()
    row = page.locator('#users tr[data-username="wang.legal"]')
    assert row.locator("select").input_value() == "legal"
    assert row.locator('input[type="email"]').input_value() == "wang@example.com"
    shot(page, "console-admin")

    # a role and an e-mail change
    row.locator("select").select_option("director")
    row.locator('input[type="email"]').fill("wang@corp.example.com")
    row.get_by_role("button", name="保存").click()
    page.get_by_text("已更新用户 wang.legal").wait_for()
    [user] = [u for u in console.call("GET", "/api/admin/users", "admin") if u["username"] == "wang.legal"]
    assert (user["role"], user["email"]) == ("director", "wang@corp.example.com")

    # an admin may not take away their own admin role: the server's refusal is shown
    me = page.locator('#users tr[data-username="admin"]')
    me.locator("select").select_option("brand")
    me.get_by_role("button", name="保存").click()
    page.locator("#users-status", has_text="an admin cannot take away their own admin role").wait_for()
    assert me.locator("select").input_value() == "admin"

    page.locator("#logout").click()
    sign_in = page.locator("#login-form")
    sign_in.get_by_label("用户名").fill("wang.legal")
    sign_in.get_by_label("密码").fill("s3cret-pass")
    sign_in.get_by_label("密码").press("Enter")
    page.locator("#who", has_text="wang.legal（营销总监）").wait_for()
    assert page.url.endswith("#/director")


def test_a_too_short_password_is_refused(console: Console, page) -> None:
    open_admin(page, console, "admin")
    form = page.locator("#add-user")
    form.get_by_label("用户名").fill("li")
    form.get_by_label("密码").fill("short")
    form.get_by_role("button", name="添加用户").click()
    assert form.get_by_label("密码").evaluate("input => input.validity.tooShort") is True
    assert "li" not in {u["username"] for u in console.call("GET", "/api/admin/users", "admin")}


def test_the_query_tester_says_which_brands_a_text_matches(console: Console, page) -> None:
    open_admin(page, console, "lead")
    brand = page.locator(f'#brands tr[data-brand="{BRAND}"]')
    assert "星河热水器、星河空调" in brand.inner_text()
    tester = page.get_by_label("粘贴一段帖子文本")
    tester.fill("刚买的星河热水器就漏电了，<img src=x onerror=alert(1)>")
    page.get_by_role("button", name="测试匹配").click()
    page.locator("#match-result", has_text=f"匹配品牌：{BRAND}").wait_for()
    tester.fill("今天天气不错，出去走走")
    page.get_by_role("button", name="测试匹配").click()
    page.locator("#match-result", has_text="未匹配任何品牌").wait_for()
    assert page.dialogs == []  # type: ignore[attr-defined]


def test_brand_lead_cannot_see_users_nor_test_channels(console: Console, page) -> None:
    add_channel(console, "wecom-pr", "http://127.0.0.1:9/hook")
    open_admin(page, console, "lead")
    assert page.locator("#admin-users").count() == 0
    assert page.locator("#admin-brands").is_visible()
    assert page.locator('#channels tr[data-channel="wecom-pr"]').is_visible()
    assert page.get_by_role("button", name="发送测试").count() == 0


def test_admin_sends_a_test_notice_and_sees_the_error_when_it_fails(console: Console, page) -> None:
    with webhook_receiver() as bot:
        bot.answers = [(200, {"errcode": 93000, "errmsg": "invalid webhook url"})]
        add_channel(console, "wecom-pr", bot.url)
        open_admin(page, console, "admin")
        row = page.locator('#channels tr[data-channel="wecom-pr"]')
        assert "wecom" in row.inner_text() and "127.0.0.1" in row.inner_text()
        assert "k-123" not in row.inner_text()  # the bot's key stays on the server
        assert "品牌专员、营销总监" in row.inner_text() and "重大" in row.inner_text()
        row.get_by_role("button", name="发送测试").click()
        row.get_by_text("操作失败：wecom: error 93000 invalid webhook url").wait_for()
        row.get_by_role("button", name="发送测试").click()
        row.get_by_text("测试通知已发送").wait_for()
        assert len(bot.requests) == 2
        assert "yuqing 通知测试" in bot.requests[-1].raw.decode()
    assert page.locator('#channels tr[data-channel="console"]').get_by_role("button").count() == 0


def test_silences_are_created_and_expired(console: Console, page) -> None:
    open_admin(page, console, "lead")
    form = page.locator("#add-silence")
    form.get_by_label("品牌").select_option(BRAND)
    form.get_by_label("规则").fill("negative_brand_post")
    form.get_by_label("时长（分钟）").fill("90")
    form.get_by_label("说明").fill("双十一促销期间的已知投诉")
    form.get_by_role("button", name="创建静默").click()
    page.get_by_text(re.compile(r"已创建静默 #\d+")).wait_for()  # the page says so once the API has it
    [silence] = console.call("GET", "/api/silences", "lead")
    page.get_by_text(f"已创建静默 #{silence['id']}").wait_for()
    assert silence["matchers"] == {"brand": BRAND, "rule": "negative_brand_post"} and silence["active"]
    row = page.locator(f'#silences tr[data-silence-id="{silence["id"]}"]')
    assert "生效中" in row.inner_text() and "双十一促销期间的已知投诉" in row.inner_text()

    row.get_by_role("button", name="立即结束").click()
    page.get_by_text(f"已结束静默 #{silence['id']}").wait_for()
    row.get_by_text("已结束").wait_for()
    assert console.call("GET", "/api/silences", "lead")[0]["active"] is False
