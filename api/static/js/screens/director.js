// 总监视图: the director sees major crises and incidents with a breached clock, nothing
// else; a short summary per crisis and "确认接收" where the director report is pending.

import { addMessages, api, can, countdown, el, fill, fmtTime, on, problem, t } from "../core.js";

addMessages({
  zh: {
    "director.title": "总监视图", "director.count": "重大危机 {major} 个 · 超时事件 {breached} 个",
    "director.empty": "当前没有重大危机或超时事件",
    "director.why.major": "重大危机", "director.why.breached": "已超时：{clocks}",
    "director.brand": "品牌", "director.detected": "发现时间", "director.state": "状态", "director.alerts": "预警次数",
    "director.posts": "相关帖子", "director.summary": "摘要", "director.open": "查看详情",
    "director.ack": "确认接收", "director.acked": "已确认接收（{who}，{at}）",
    "director.done.ack": "已确认接收事件 #{id} 的总监报告",
  },
  en: {
    "director.title": "Director", "director.count": "{major} major crises · {breached} incidents with a breached clock",
    "director.empty": "No major crisis and no breached clock",
    "director.why.major": "Major crisis", "director.why.breached": "Breached: {clocks}",
    "director.brand": "Brand", "director.detected": "Detected", "director.state": "State", "director.alerts": "Alerts",
    "director.posts": "Posts", "director.summary": "Summary", "director.open": "Details",
    "director.ack": "Acknowledge receipt", "director.acked": "Receipt acknowledged ({who}, {at})",
    "director.done.ack": "Director report of incident #{id} acknowledged",
  },
});

const CLOCKS = ["director_report", "response", "statement"]; // the director's own clock first

const breachedClocks = (incident) => CLOCKS.filter((k) => incident.sla[k] === "breached");
const isMajor = (incident) => incident.severity === "major";
const awaitsDirector = (incident) => ["pending", "breached"].includes(incident.sla.director_report);

/** What the director sees: majors and breaches; those awaiting the director first, then the newest. */
function crises(incidents) {
  return incidents
    .filter((i) => isMajor(i) || breachedClocks(i).length > 0)
    .sort((a, b) => Number(awaitsDirector(b)) - Number(awaitsDirector(a))
      || Number(isMajor(b)) - Number(isMajor(a))
      || new Date(b.detected_at) - new Date(a.detected_at));
}

function clockBadge(incident, kind) {
  const timer = incident.timers.find((x) => x.kind === kind);
  const c = countdown(incident.deadlines[kind + "_due"], timer?.started_at, incident.sla[kind]);
  return el("span", { class: "clock clock-" + c.level, dataset: { clock: kind } }, t("clock." + kind), " ", c.text);
}

function clocks(incident) {
  return el("div", { class: "crisis-clocks" }, CLOCKS.filter((k) => incident.sla[k]).map((k) => clockBadge(incident, k)));
}

function reasons(incident) {
  const breached = breachedClocks(incident).map((k) => t("clock." + k)).join("、");
  return el(
    "div",
    { class: "crisis-reasons" },
    isMajor(incident) && el("span", { class: "crisis-tag crisis-tag-major" }, t("director.why.major")),
    breached && el("span", { class: "crisis-tag crisis-tag-breached" }, t("director.why.breached", { clocks: breached })),
  );
}

function summary(incident) {
  const item = (key, value) => [el("dt", {}, t(key)), el("dd", {}, value)];
  return el(
    "dl",
    { class: "crisis-facts" },
    item("director.brand", incident.brand || "—"),
    item("director.detected", fmtTime(incident.detected_at)),
    item("director.state", el("span", { class: "state-" + incident.state }, t("state." + incident.state))),
    item("director.alerts", String(incident.alert_count)),
    item("director.posts", String(incident.post_keys.length)),
  );
}

function ackArea(incident, reload, status) {
  const timer = incident.timers.find((x) => x.kind === "director_report");
  if (timer?.met_at) {
    return el("p", { class: "crisis-acked" }, t("director.acked", { who: timer.met_by || "—", at: fmtTime(timer.met_at) }));
  }
  if (!awaitsDirector(incident) || !can("incident.director_ack")) return null;
  const ack = async (event) => {
    event.target.disabled = true;
    try {
      await api(`/api/incidents/${incident.id}/director-ack`, { method: "POST" });
      await reload();
      fill(status, t("director.done.ack", { id: incident.id }));
    } catch (e) {
      event.target.disabled = false;
      fill(status, problem(e));
    }
  };
  return el("button", { type: "button", class: "primary", onclick: ack }, t("director.ack"));
}

function card(incident, reload, status) {
  return el(
    "article",
    { class: "card crisis crisis-" + incident.severity, dataset: { incidentId: incident.id } },
    el("h3", {}, el("span", { class: "sev-" + incident.severity }, t("severity." + incident.severity)), " ",
      el("a", { href: "#/incident/" + incident.id }, "#" + incident.id + " " + incident.title)),
    reasons(incident),
    summary(incident),
    incident.summary ? el("p", { class: "crisis-summary" }, incident.summary) : null,
    clocks(incident),
    el("div", { class: "crisis-buttons" }, ackArea(incident, reload, status)),
  );
}

export default {
  path: "#/director",
  nav: true,
  roles: ["director", "brand_lead", "admin"],
  title: () => t("director.title"),
  async render(root) {
    const count = el("small", { id: "director-count" });
    const status = el("p", { class: "status", role: "status" });
    const list = el("div", { id: "crises", class: "crises" });
    const empty = el("p", { id: "crises-empty", class: "empty", hidden: true }, t("director.empty"));
    const view = el("section", { id: "director-view" }, el("h2", {}, t("director.title"), " ", count), status, list, empty);
    fill(root, view);
    let shown = [];
    const reload = async () => {
      shown = crises((await api("/api/incidents?open=true&limit=500")).items);
      fill(list, shown.map((i) => card(i, reload, status)));
      const breached = shown.filter((i) => breachedClocks(i).length).length;
      fill(count, t("director.count", { major: shown.filter(isMajor).length, breached }));
      empty.hidden = shown.length > 0;
    };
    await reload();
    const timer = setInterval(() => {
      if (!view.isConnected) return stop();
      for (const incident of shown) {
        const box = list.querySelector(`article[data-incident-id="${incident.id}"] .crisis-clocks`);
        box?.replaceWith(clocks(incident));
      }
    }, 1000);
    let pending = null;
    const soon = () => {
      if (!view.isConnected) return stop();
      clearTimeout(pending);
      pending = setTimeout(() => reload().catch((e) => fill(status, problem(e))), 300);
    };
    const offs = ["incident", "clocks", "notice"].map((type) => on(type, soon));
    // a screen left before its first load finished may miss its cleanup: it stops itself once off the page
    const stop = () => {
      clearInterval(timer);
      clearTimeout(pending);
      offs.forEach((off) => off());
    };
    return stop;
  },
};
