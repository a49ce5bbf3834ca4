// 管理: the watched brands and their queries (with a tester: which brands does a text
// match?), users and roles (admin only), the notification channels (admin sends a test
// notice) and the silences. Each section reads and writes through the same API.

import { addMessages, api, can, el, fill, fmtTime, problem, session, t } from "../core.js";

addMessages({
  zh: {
    "admin.title": "管理",
    "admin.brands": "品牌与查询", "admin.brand": "品牌", "admin.query": "查询表达式", "admin.aliases": "别名",
    "admin.keywords": "关键词", "admin.exclude": "排除词", "admin.brands.empty": "尚未配置品牌（配置文件中的 [[brands]]）",
    "admin.tester": "查询测试", "admin.tester.text": "粘贴一段帖子文本", "admin.tester.run": "测试匹配",
    "admin.tester.hit": "匹配品牌：{brands}", "admin.tester.miss": "未匹配任何品牌",
    "admin.users": "用户与角色", "admin.username": "用户名", "admin.role": "角色", "admin.email": "邮箱",
    "admin.created": "创建时间", "admin.password": "密码（至少 8 位）", "admin.user.add": "添加用户", "admin.save": "保存",
    "admin.user.added": "已添加用户 {name}", "admin.user.saved": "已更新用户 {name}",
    "admin.channels": "通知渠道", "admin.channel": "渠道", "admin.kind": "类型", "admin.target": "发送到",
    "admin.roles": "接收角色", "admin.severities": "严重程度", "admin.test": "发送测试", "admin.test.sent": "测试通知已发送",
    "admin.test.failed": "发送失败：{detail}", "admin.all": "全部",
    "admin.silences": "静默规则", "admin.matchers": "匹配条件", "admin.rule": "规则", "admin.minutes": "时长（分钟）",
    "admin.comment": "说明", "admin.ends": "结束时间", "admin.by": "创建人", "admin.hits": "命中次数",
    "admin.active": "生效中", "admin.ended": "已结束", "admin.silence.add": "创建静默", "admin.expire": "立即结束",
    "admin.silence.added": "已创建静默 #{id}", "admin.silence.expired": "已结束静默 #{id}",
    "admin.silences.empty": "没有静默规则", "admin.silence.needs": "至少填写品牌或规则之一",
    "admin.id": "编号", "admin.state": "状态", "admin.actions": "操作",
  },
  en: {
    "admin.title": "Admin",
    "admin.brands": "Brands and queries", "admin.brand": "Brand", "admin.query": "Query", "admin.aliases": "Aliases",
    "admin.keywords": "Keywords", "admin.exclude": "Excluded", "admin.brands.empty": "No brands configured ([[brands]] in the settings)",
    "admin.tester": "Query tester", "admin.tester.text": "Paste a post's text", "admin.tester.run": "Test",
    "admin.tester.hit": "Matches: {brands}", "admin.tester.miss": "Matches no brand",
    "admin.users": "Users and roles", "admin.username": "User name", "admin.role": "Role", "admin.email": "E-mail",
    "admin.created": "Created", "admin.password": "Password (8 characters or more)", "admin.user.add": "Add user", "admin.save": "Save",
    "admin.user.added": "User {name} added", "admin.user.saved": "User {name} updated",
    "admin.channels": "Notification channels", "admin.channel": "Channel", "admin.kind": "Kind", "admin.target": "Sends to",
    "admin.roles": "Roles", "admin.severities": "Severities", "admin.test": "Send a test", "admin.test.sent": "Test notice sent",
    "admin.test.failed": "Failed: {detail}", "admin.all": "all",
    "admin.silences": "Silences", "admin.matchers": "Matchers", "admin.rule": "Rule", "admin.minutes": "Minutes",
    "admin.comment": "Comment", "admin.ends": "Ends", "admin.by": "By", "admin.hits": "Hits",
    "admin.active": "Active", "admin.ended": "Ended", "admin.silence.add": "Add silence", "admin.expire": "End now",
    "admin.silence.added": "Silence #{id} added", "admin.silence.expired": "Silence #{id} ended",
    "admin.silences.empty": "No silences", "admin.silence.needs": "Give a brand or a rule, or both",
    "admin.id": "No.", "admin.state": "State", "admin.actions": "Actions",
  },
});

const ROLES = ["brand", "brand_lead", "legal", "director", "admin"];
const RULES = ["negative_brand_post", "negative_spike", "source_silent"];

// -- small pieces ----------------------------------------------------------------------------

const head = (keys) => el("thead", {}, el("tr", {}, keys.map((k) => el("th", {}, t(k)))));
const table = (id, keys, body) => el("table", { id }, head(keys), body);
const list = (values) => (values && values.length ? values.join("、") : "—");
const labelled = (key, input) => el("label", {}, t(key), " ", input);

function section(id, titleKey, ...children) {
  return el("section", { id, class: "card admin-section" }, el("h3", {}, t(titleKey)), ...children);
}

/** Run an action, then reload (when given), then say what happened in status (or the error). */
async function act(status, fn, done, reload = async () => {}) {
  try {
    const result = await fn();
    await reload();
    fill(status, done(result));
    status.classList.remove("error");
    return result;
  } catch (e) {
    fill(status, problem(e));
    status.classList.add("error");
    return null;
  }
}

// -- brands and the query tester -----------------------------------------------------------------

function brandRow(b) {
  return el("tr", { dataset: { brand: b.name } },
    el("th", { scope: "row" }, b.name), el("td", {}, el("code", {}, b.query || "—")),
    el("td", {}, list(b.aliases)), el("td", {}, list(b.keywords)), el("td", {}, list(b.exclude)));
}

function tester() {
  const label = t("admin.tester.text");
  const text = el("textarea", { id: "match-text", rows: 3, "aria-label": label, placeholder: label });
  const result = el("p", { id: "match-result", class: "status", role: "status" });
  const form = el("form", { class: "admin-tester" }, el("h4", {}, t("admin.tester")), text,
    el("button", { type: "submit" }, t("admin.tester.run")), result);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!text.value.trim()) return;
    await act(result, () => api("/api/admin/brands/match", { method: "POST", body: { text: text.value } }),
      ({ brands }) => (brands.length ? t("admin.tester.hit", { brands: brands.join("、") }) : t("admin.tester.miss")));
  });
  return form;
}

async function brandsSection() {
  const brands = await api("/api/admin/brands");
  const heads = ["admin.brand", "admin.query", "admin.aliases", "admin.keywords", "admin.exclude"];
  const shown = brands.length
    ? table("brands", heads, el("tbody", {}, brands.map(brandRow)))
    : el("p", { class: "empty" }, t("admin.brands.empty"));
  return { brands, node: section("admin-brands", "admin.brands", shown, tester()) };
}

// -- users and roles (admin only) ------------------------------------------------------------------

function roleSelect(value, attrs = {}) {
  return el("select", attrs, ROLES.map((r) => el("option", { value: r, selected: r === value }, t("role." + r))));
}

function userRow(user, status, reload) {
  const role = roleSelect(user.role, { "aria-label": t("admin.role") + " " + user.username, name: "role" });
  const email = el("input", { type: "email", value: user.email || "", "aria-label": t("admin.email") + " " + user.username });
  const save = async () => {
    const body = { role: role.value, email: email.value.trim() || null };
    const path = "/api/admin/users/" + encodeURIComponent(user.username);
    const saved = await act(status, () => api(path, { method: "PATCH", body }),
      () => t("admin.user.saved", { name: user.username }), reload);
    if (!saved) role.value = user.role;
  };
  return el("tr", { dataset: { username: user.username } },
    el("th", { scope: "row" }, user.username), el("td", {}, role), el("td", {}, email),
    el("td", {}, fmtTime(user.created_at)),
    el("td", {}, el("button", { type: "button", onclick: save }, t("admin.save"))));
}

function addUserForm(status, reload) {
  const fields = {
    username: el("input", { name: "username", required: true, maxlength: 64, autocomplete: "off" }),
    role: roleSelect("brand", { name: "role" }),
    password: el("input", { name: "password", type: "password", required: true, minlength: 8, autocomplete: "off" }),
    email: el("input", { name: "email", type: "email" }),
  };
  const form = el("form", { id: "add-user", class: "admin-form" },
    labelled("admin.username", fields.username), labelled("admin.role", fields.role),
    labelled("admin.password", fields.password), labelled("admin.email", fields.email),
    el("button", { type: "submit", class: "primary" }, t("admin.user.add")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { username: fields.username.value.trim(), role: fields.role.value, password: fields.password.value,
      email: fields.email.value.trim() || null };
    const added = (u) => t("admin.user.added", { name: u.username });
    if (await act(status, () => api("/api/admin/users", { method: "POST", body }), added, reload)) form.reset();
  });
  return form;
}

async function usersSection() {
  const status = el("p", { id: "users-status", class: "status", role: "status" });
  const body = el("tbody");
  const reload = async () => fill(body, (await api("/api/admin/users")).map((u) => userRow(u, status, reload)));
  await reload();
  const heads = ["admin.username", "admin.role", "admin.email", "admin.created", "admin.actions"];
  return section("admin-users", "admin.users", table("users", heads, body), addUserForm(status, reload), status);
}

// -- notification channels ---------------------------------------------------------------------------

function channelRow(channel) {
  const result = el("span", { class: "status", role: "status" });
  const path = `/api/admin/channels/${encodeURIComponent(channel.name)}/test`;
  const send = () => act(result, () => api(path, { method: "POST" }), () => t("admin.test.sent"));
  const testable = session.user.role === "admin" && channel.kind !== "console";
  const names = (values, prefix) => (values.includes("all") ? t("admin.all") : list(values.map((v) => t(prefix + v))));
  return el("tr", { dataset: { channel: channel.name } },
    el("th", { scope: "row" }, channel.name), el("td", {}, channel.kind), el("td", {}, channel.target),
    el("td", {}, names(channel.roles, "role.")), el("td", {}, names(channel.severities, "severity.")),
    el("td", { class: "actions" }, testable && el("button", { type: "button", onclick: send }, t("admin.test")), " ", result));
}

async function channelsSection() {
  const channels = await api("/api/admin/channels");
  const heads = ["admin.channel", "admin.kind", "admin.target", "admin.roles", "admin.severities", "admin.actions"];
  return section("admin-channels", "admin.channels", table("channels", heads, el("tbody", {}, channels.map(channelRow))));
}

// -- silences ------------------------------------------------------------------------------------------

function silenceRow(silence, status, reload) {
  const matchers = Object.entries(silence.matchers).map(([k, v]) => k + "=" + v).join("，");
  const expire = () => act(status, () => api(`/api/silences/${silence.id}/expire`, { method: "POST" }),
    () => t("admin.silence.expired", { id: silence.id }), reload);
  return el("tr", { dataset: { silenceId: silence.id }, class: silence.active ? "silence-active" : "silence-ended" },
    el("td", {}, "#" + silence.id), el("td", {}, el("code", {}, matchers)), el("td", {}, silence.comment),
    el("td", {}, fmtTime(silence.ends_at)), el("td", {}, silence.created_by), el("td", {}, String(silence.hits)),
    el("td", {}, t(silence.active ? "admin.active" : "admin.ended")),
    el("td", {}, silence.active && can("silence.expire")
      && el("button", { type: "button", class: "danger", onclick: expire }, t("admin.expire"))));
}

function silenceForm(brands, status, reload) {
  const fields = {
    brand: el("select", { name: "brand" },
      el("option", { value: "" }, "—"), brands.map((b) => el("option", { value: b.name }, b.name))),
    rule: el("input", { name: "rule", list: "rule-names", autocomplete: "off" }),
    minutes: el("input", { name: "minutes", type: "number", min: 1, max: 129600, value: 60, required: true }),
    comment: el("input", { name: "comment", required: true, maxlength: 500 }),
  };
  const form = el("form", { id: "add-silence", class: "admin-form" },
    labelled("admin.brand", fields.brand), labelled("admin.rule", fields.rule),
    el("datalist", { id: "rule-names" }, RULES.map((r) => el("option", { value: r }))),
    labelled("admin.minutes", fields.minutes), labelled("admin.comment", fields.comment),
    el("button", { type: "submit", class: "primary" }, t("admin.silence.add")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const matchers = Object.fromEntries(["brand", "rule"].map((k) => [k, fields[k].value.trim()]).filter(([, v]) => v));
    if (!Object.keys(matchers).length) return fill(status, t("admin.silence.needs"));
    const body = { matchers, minutes: Number(fields.minutes.value), comment: fields.comment.value.trim() };
    const added = (s) => t("admin.silence.added", { id: s.id });
    if (await act(status, () => api("/api/silences", { method: "POST", body }), added, reload)) form.reset();
  });
  return form;
}

async function silencesSection(brands) {
  const status = el("p", { id: "silences-status", class: "status", role: "status" });
  const body = el("tbody");
  const empty = el("p", { class: "empty", hidden: true }, t("admin.silences.empty"));
  const reload = async () => {
    const silences = await api("/api/silences");
    fill(body, silences.map((s) => silenceRow(s, status, reload)));
    empty.hidden = silences.length > 0;
  };
  await reload();
  const heads = ["admin.id", "admin.matchers", "admin.comment", "admin.ends", "admin.by", "admin.hits", "admin.state",
    "admin.actions"];
  return section("admin-silences", "admin.silences", table("silences", heads, body), empty,
    can("silence.create") ? silenceForm(brands, status, reload) : null, status);
}

export default {
  path: "#/admin",
  nav: true,
  roles: ["admin", "brand_lead"],
  title: () => t("admin.title"),
  async render(root) {
    const grid = el("div", { class: "admin-grid" });
    fill(root, el("section", { id: "admin-view" }, el("h2", {}, t("admin.title")), grid));
    const { brands, node } = await brandsSection();
    const admin = session.user.role === "admin";
    const parts = [node, admin && (await usersSection()), await channelsSection(), await silencesSection(brands)];
    fill(grid, parts);
  },
};
