// 信源健康: is each source delivering, blocked, or silent? Its last success, its last
// verdict (label and reason), failures in a row, the next run and the last volume,
// coloured by status: green delivering, amber nothing new, red failing, grey never run.

import { addMessages, api, clock, el, fill, fmtTime, problem, span, t } from "../core.js";

addMessages({
  zh: {
    "sources.title": "信源健康", "sources.count": "共 {n} 个信源，{failing} 个异常", "sources.empty": "尚未配置信源",
    "sources.source": "信源", "sources.status": "状态", "sources.reason": "原因", "sources.success": "最近成功",
    "sources.run": "最近运行", "sources.failures": "连续失败", "sources.since": "异常开始", "sources.next": "下次运行",
    "sources.items": "上次条数", "sources.ago": "{span}前", "sources.in": "{span}后", "sources.due": "即将运行",
    "sources.never": "从未成功", "sources.updated": "更新于 {at}",
  },
  en: {
    "sources.title": "Source health", "sources.count": "{n} sources, {failing} failing", "sources.empty": "No sources configured",
    "sources.source": "Source", "sources.status": "Status", "sources.reason": "Reason", "sources.success": "Last success",
    "sources.run": "Last run", "sources.failures": "Failures in a row", "sources.since": "Failing since", "sources.next": "Next run",
    "sources.items": "Last volume", "sources.ago": "{span} ago", "sources.in": "in {span}", "sources.due": "due now",
    "sources.never": "never", "sources.updated": "Updated {at}",
  },
});

const HEALTHY = { ok: "ok", empty: "quiet" };
const ORDER = ["failing", "none", "quiet", "ok"]; // trouble first
const REFRESH_MS = 30000; // health changes only when a crawl runs: a poll is enough

/** ok (delivering), quiet (ran, nothing new), failing, or none (never run). */
const level = (source) => (source.status === null ? "none" : HEALTHY[source.status] || "failing");

/** A time with how long ago or how soon: "11-28 10:05（5分前）"; a next run due already says so. */
function when(iso, { empty = "time.none", next = false } = {}) {
  if (!iso) return t(empty);
  const delta = new Date(iso).getTime() - clock.now();
  let relative = t(delta < 0 ? "sources.ago" : "sources.in", { span: span(delta) });
  if (next && delta < 60000) relative = t("sources.due");
  return el("span", { title: iso }, fmtTime(iso), " ", el("small", {}, "（" + relative + "）"));
}

function row(source) {
  const state = level(source);
  return el(
    "tr",
    { class: "source source-" + state, dataset: { source: source.source, level: state } },
    el("th", { scope: "row" }, source.source),
    el("td", { class: "source-status" }, el("span", { class: "health health-" + state }, source.label)),
    el("td", { class: "source-reason" }, source.reason || "—"),
    el("td", {}, when(source.last_success_at, { empty: source.last_run_at ? "sources.never" : "time.none" })),
    el("td", {}, when(source.last_run_at)),
    el("td", { class: source.failures ? "failures" : "" }, String(source.failures)),
    el("td", {}, when(source.failing_since)),
    el("td", {}, when(source.next_run_at, { next: true })),
    el("td", { class: "num" }, String(source.last_items)),
  );
}

const HEADS = ["source", "status", "reason", "success", "run", "failures", "since", "next", "items"];

export default {
  path: "#/sources",
  nav: true,
  roles: ["brand", "brand_lead", "director", "admin"],
  title: () => t("sources.title"),
  async render(root) {
    const count = el("small", { id: "sources-count" });
    const status = el("p", { class: "status", role: "status" });
    const body = el("tbody");
    const empty = el("p", { id: "sources-empty", class: "empty", hidden: true }, t("sources.empty"));
    const again = () => reload().catch((e) => fill(status, problem(e)));
    const refresh = el("button", { type: "button", onclick: again }, t("refresh"));
    const view = el("section", { id: "sources-view" },
      el("h2", {}, t("sources.title"), " ", count),
      el("div", { class: "toolbar" }, refresh, status),
      el("table", { id: "sources", class: "sources" },
        el("thead", {}, el("tr", {}, HEADS.map((k) => el("th", {}, t("sources." + k))))), body),
      empty);
    fill(root, view);
    const reload = async () => {
      const { items } = await api("/api/sources");
      const rank = (s) => ORDER.indexOf(level(s));
      const sorted = [...items].sort((a, b) => rank(a) - rank(b) || a.source.localeCompare(b.source));
      fill(body, sorted.map(row));
      fill(count, t("sources.count", { n: items.length, failing: items.filter((s) => level(s) === "failing").length }));
      fill(status, t("sources.updated", { at: fmtTime(new Date(clock.now()).toISOString()) }));
      empty.hidden = items.length > 0;
    };
    await reload();
    // a screen left before its first load finished may miss its cleanup: it stops itself once off the page
    const timer = setInterval(() => (view.isConnected ? again() : clearInterval(timer)), REFRESH_MS);
    return () => clearInterval(timer);
  },
};
