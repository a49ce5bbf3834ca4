// 事件看板: every open incident, its severity and state, and countdowns for its clocks
// (amber near the deadline, red at breach); acknowledge and respond from the board.

import { addMessages, api, can, countdown, el, fill, fmtTime, on, problem, t } from "../core.js";

addMessages({
  zh: {
    "board.title": "事件看板", "board.count": "共 {n} 个未结事件", "board.empty": "暂无未结事件",
    "board.id": "编号", "board.brand": "品牌", "board.incident": "事件", "board.severity": "严重程度",
    "board.state": "状态", "board.detected": "发现时间", "board.posts": "帖子数", "board.actions": "操作",
    "board.ack": "认领", "board.respond": "回应", "board.note": "回应说明（已回复、已发布说明、已采取的措施）",
    "board.done.ack": "已认领事件 #{id}", "board.done.respond": "已回应事件 #{id}",
  },
  en: {
    "board.title": "Incident board", "board.count": "{n} open incidents", "board.empty": "No open incidents",
    "board.id": "No.", "board.brand": "Brand", "board.incident": "Incident", "board.severity": "Severity",
    "board.state": "State", "board.detected": "Detected", "board.posts": "Posts", "board.actions": "Actions",
    "board.ack": "Acknowledge", "board.respond": "Respond", "board.note": "What was done (a reply, a holding statement, an action)",
    "board.done.ack": "Incident #{id} acknowledged", "board.done.respond": "Incident #{id} responded to",
  },
});

const CLOCKS = ["response", "statement", "director_report"];

/** A countdown cell for one clock of an incident; re-rendered every second. */
export function clockCell(incident, kind) {
  const timer = incident.timers.find((x) => x.kind === kind);
  const c = countdown(incident.deadlines[kind + "_due"], timer?.started_at, incident.sla[kind]);
  return el("td", { class: "clock clock-" + c.level, dataset: { clock: kind } }, c.text);
}

// respond forms the user has open (incident id -> text typed so far): a reload keeps them
const drafts = new Map();

function actions(incident, reload, status) {
  const cell = el("td", { class: "actions" });
  const act = async (path, body, done) => {
    try {
      await api(`/api/incidents/${incident.id}/${path}`, { method: "POST", body });
      if (path === "respond") drafts.delete(incident.id);
      await reload(); // the board shows the new state before it says "done"
      fill(status, t(done, { id: incident.id }));
    } catch (error) {
      fill(status, problem(error));
    }
  };
  if (can("incident.ack") && incident.state === "triggered") {
    cell.appendChild(el("button", { type: "button", onclick: () => act("ack", undefined, "board.done.ack") }, t("board.ack")));
  }
  if (can("incident.respond") && ["triggered", "acknowledged"].includes(incident.state)) {
    const note = el("textarea", { "aria-label": t("board.note"), placeholder: t("board.note"), rows: 2, required: true });
    note.value = drafts.get(incident.id) || "";
    note.addEventListener("input", () => drafts.set(incident.id, note.value));
    const form = el(
      "form",
      { class: "respond", hidden: !drafts.has(incident.id) },
      note,
      el("button", { type: "submit" }, t("submit")),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (note.value.trim()) act("respond", { note: note.value.trim() }, "board.done.respond");
    });
    cell.append(
      el("button", {
        type: "button",
        onclick: () => {
          form.hidden = !form.hidden;
          if (form.hidden) drafts.delete(incident.id);
          else {
            drafts.set(incident.id, note.value);
            note.focus();
          }
        },
      }, t("board.respond")),
      form,
    );
  }
  return cell;
}

function row(incident, reload, status) {
  return el(
    "tr",
    { dataset: { incidentId: incident.id }, class: "sev-row-" + incident.severity },
    el("td", {}, "#" + incident.id),
    el("td", {}, incident.brand || "—"),
    el("td", {}, el("a", { href: "#/incident/" + incident.id }, incident.title)),
    el("td", { class: "sev-" + incident.severity }, t("severity." + incident.severity)),
    el("td", { class: "state-" + incident.state }, t("state." + incident.state)),
    el("td", {}, fmtTime(incident.detected_at)),
    CLOCKS.map((kind) => clockCell(incident, kind)),
    el("td", {}, String(incident.post_keys.length || incident.alert_count)),
    actions(incident, reload, status),
  );
}

export default {
  path: "#/board",
  nav: true,
  roles: ["brand", "brand_lead", "director", "admin"],
  title: () => t("board.title"),
  async render(root) {
    const count = el("small", { id: "incident-count" });
    const status = el("p", { class: "status", role: "status" });
    const body = el("tbody");
    const empty = el("p", { id: "incidents-empty", class: "empty", hidden: true }, t("board.empty"));
    const heads = ["board.id", "board.brand", "board.incident", "board.severity", "board.state", "board.detected"]
      .map((k) => el("th", {}, t(k)))
      .concat(CLOCKS.map((k) => el("th", {}, t("clock." + k))), [el("th", {}, t("board.posts")), el("th", {}, t("board.actions"))]);
    fill(
      root,
      el("section", { id: "board-view" },
        el("h2", {}, t("board.title"), " ", count),
        status,
        el("table", { id: "incidents", class: "board" }, el("thead", {}, el("tr", {}, heads)), body),
        empty),
    );
    let incidents = [];
    const reload = async () => {
      const page = await api("/api/incidents?open=true&limit=500");
      incidents = page.items;
      const typing = document.activeElement?.tagName === "TEXTAREA" && body.contains(document.activeElement)
        ? Number(document.activeElement.closest("tr").dataset.incidentId) : null;
      fill(body, incidents.map((i) => row(i, reload, status)));
      if (typing !== null) body.querySelector(`tr[data-incident-id="${typing}"] textarea`)?.focus();
      fill(count, t("board.count", { n: incidents.length }));
      empty.hidden = incidents.length > 0;
    };
    await reload();
    // countdowns move every second; anything that changes an incident reloads the board
    const timer = setInterval(() => {
      for (const tr of body.querySelectorAll("tr")) {
        const incident = incidents.find((i) => String(i.id) === tr.dataset.incidentId);
        if (!incident) continue;
        for (const td of tr.querySelectorAll("td.clock")) td.replaceWith(clockCell(incident, td.dataset.clock));
      }
    }, 1000);
    let pending = null;
    const soon = () => {
      clearTimeout(pending);
      pending = setTimeout(() => reload().catch(() => {}), 300);
    };
    const offs = ["incident", "clocks", "notice"].map((type) => on(type, soon));
    return () => {
      clearInterval(timer);
      clearTimeout(pending);
      offs.forEach((off) => off());
    };
  },
};
