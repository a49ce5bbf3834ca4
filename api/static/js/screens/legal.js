// 法务审核: statements waiting for legal review, oldest submission first, each with its
// incident, version, author, the statement deadline and the full text; legal approves or
// rejects with a comment (a rejection must say what to change). Other roles may look.

import { addMessages, api, can, countdown, el, fill, fmtTime, on, problem, session, t } from "../core.js";

addMessages({
  zh: {
    "legal.title": "法务审核", "legal.count": "{n} 份声明待审核", "legal.empty": "没有待审核的声明",
    "legal.incident": "事件", "legal.version": "第 {v} 版", "legal.author": "撰写人", "legal.submitted": "提交时间",
    "legal.deadline": "声明时限", "legal.text": "声明全文", "legal.comment": "审核意见",
    "legal.comment.hint": "批准时可选；驳回时必填：请写明需要修改之处",
    "legal.approve": "批准", "legal.reject": "驳回", "legal.reject.needs": "驳回时必须填写审核意见",
    "legal.done.approve": "已批准声明 #{id}（第 {v} 版）", "legal.done.reject": "已驳回声明 #{id}（第 {v} 版）",
    "legal.readonly": "只读：仅法务可以批准或驳回声明", "legal.own": "这是您撰写的声明，不能由您审核",
    "legal.previous": "上一版（第 {v} 版）驳回意见：{comment}",
  },
  en: {
    "legal.title": "Legal review", "legal.count": "{n} statements to review", "legal.empty": "No statements waiting for review",
    "legal.incident": "Incident", "legal.version": "Version {v}", "legal.author": "Author", "legal.submitted": "Submitted",
    "legal.deadline": "Statement due", "legal.text": "Full text", "legal.comment": "Review comment",
    "legal.comment.hint": "Optional to approve; required to reject: say what must change",
    "legal.approve": "Approve", "legal.reject": "Reject", "legal.reject.needs": "A rejection needs a comment",
    "legal.done.approve": "Statement #{id} (version {v}) approved", "legal.done.reject": "Statement #{id} (version {v}) rejected",
    "legal.readonly": "Read only: only legal approves or rejects statements", "legal.own": "You wrote this statement; someone else must review it",
    "legal.previous": "Previous version ({v}) was rejected: {comment}",
  },
});

// comments being typed (statement id -> text): a live reload keeps them
const drafts = new Map();

/** The incidents the queue refers to, by id (one list call, single calls for any it missed). */
async function incidentsFor(statements) {
  const byId = new Map((await api("/api/incidents?limit=500")).items.map((i) => [i.id, i]));
  const missing = [...new Set(statements.map((s) => s.incident_id))].filter((id) => !byId.has(id));
  for (const id of missing) byId.set(id, await api(`/api/incidents/${id}`));
  return byId;
}

/** The last rejected version before this one, for the reviewer's context. */
async function previousRejections(statements) {
  const rejected = new Map();
  const ids = [...new Set(statements.filter((s) => s.version > 1).map((s) => s.incident_id))];
  for (const id of ids) {
    const versions = await api(`/api/incidents/${id}/statements`);
    const last = versions.filter((v) => v.state === "rejected").sort((a, b) => b.version - a.version)[0];
    if (last) rejected.set(id, last);
  }
  return rejected;
}

function deadline(statement, incident) {
  const timer = incident?.timers.find((x) => x.kind === "statement");
  const running = incident?.sla.statement || (statement.statement_due && "pending");
  const c = countdown(statement.statement_due, timer?.started_at, running);
  return el("span", { class: "clock clock-" + c.level, dataset: { clock: "statement" } }, c.text);
}

function facts(statement, incident) {
  const id = statement.incident_id;
  const link = el("a", { href: "#/incident/" + id }, "#" + id + " " + (incident?.title || ""));
  const severity = incident && el("span", { class: "sev-" + incident.severity }, " " + t("severity." + incident.severity));
  const item = (key, ...value) => [el("dt", {}, t(key)), el("dd", {}, ...value)];
  return el(
    "dl",
    { class: "legal-facts" },
    item("legal.incident", link, severity),
    item("legal.author", statement.author),
    item("legal.submitted", fmtTime(statement.submitted_at)),
    item("legal.deadline", deadline(statement, incident)),
  );
}

function reviewForm(statement, reload, status) {
  const mine = statement.author === session.user.username;
  if (!can("statement.approve")) return el("p", { class: "empty" }, t("legal.readonly"));
  if (mine) return el("p", { class: "empty" }, t("legal.own"));
  const comment = el("textarea", { rows: 3, placeholder: t("legal.comment.hint"), "aria-label": t("legal.comment") });
  comment.value = drafts.get(statement.id) || "";
  comment.addEventListener("input", () => drafts.set(statement.id, comment.value));
  const error = el("p", { class: "error", role: "alert" });
  const decide = async (verb) => {
    const text = comment.value.trim();
    if (verb === "reject" && !text) {
      comment.setAttribute("aria-invalid", "true");
      comment.focus();
      return fill(error, t("legal.reject.needs"));
    }
    try {
      await api(`/api/statements/${statement.id}/${verb}`, { method: "POST", body: { comment: text || null } });
      drafts.delete(statement.id);
      await reload();
      fill(status, t("legal.done." + verb, { id: statement.id, v: statement.version }));
    } catch (e) {
      fill(error, problem(e));
    }
  };
  return el(
    "div",
    { class: "legal-review" },
    el("label", {}, t("legal.comment"), comment),
    error,
    el("div", { class: "legal-buttons" },
      el("button", { type: "button", class: "primary", onclick: () => decide("approve") }, t("legal.approve")),
      el("button", { type: "button", class: "danger", onclick: () => decide("reject") }, t("legal.reject"))),
  );
}

function card(statement, incident, previous, reload, status) {
  return el(
    "article",
    { class: "card legal-card", dataset: { statementId: statement.id, incidentId: statement.incident_id } },
    el("h3", {}, t("legal.version", { v: statement.version }), " · ", incident?.brand || "", " ",
      el("small", {}, "#" + statement.id)),
    facts(statement, incident),
    previous && el("p", { class: "legal-previous" },
      t("legal.previous", { v: previous.version, comment: previous.review_comment || "—" })),
    el("h4", {}, t("legal.text")),
    el("div", { class: "legal-text" }, statement.text),
    reviewForm(statement, reload, status),
  );
}

export default {
  path: "#/legal",
  nav: true,
  roles: ["legal", "admin"],
  title: () => t("legal.title"),
  async render(root) {
    const count = el("small", { id: "legal-count" });
    const status = el("p", { class: "status", role: "status" });
    const list = el("div", { id: "legal-queue" });
    const empty = el("p", { id: "legal-empty", class: "empty", hidden: true }, t("legal.empty"));
    const view = el("section", { id: "legal-view" }, el("h2", {}, t("legal.title"), " ", count), status, list, empty);
    fill(root, view);
    let shown = [];
    const reload = async () => {
      const queue = await api("/api/statements?state=pending_legal");
      const [incidents, previous] = await Promise.all([incidentsFor(queue), previousRejections(queue)]);
      shown = queue.map((s) => ({ s, incident: incidents.get(s.incident_id) }));
      const focused = document.activeElement?.closest?.("article.legal-card")?.dataset.statementId;
      fill(list, shown.map(({ s, incident }) => card(s, incident, previous.get(s.incident_id), reload, status)));
      if (focused) list.querySelector(`article[data-statement-id="${focused}"] textarea`)?.focus();
      fill(count, t("legal.count", { n: queue.length }));
      empty.hidden = queue.length > 0;
    };
    await reload();
    const timer = setInterval(() => {
      if (!view.isConnected) return stop();
      for (const { s, incident } of shown) {
        list.querySelector(`article[data-statement-id="${s.id}"] [data-clock]`)?.replaceWith(deadline(s, incident));
      }
    }, 1000);
    let pending = null;
    const soon = () => {
      if (!view.isConnected) return stop();
      clearTimeout(pending);
      pending = setTimeout(() => reload().catch((e) => fill(status, problem(e))), 300);
    };
    const offs = ["incident", "clocks"].map((type) => on(type, soon));
    // a screen left before its first load finished may miss its cleanup: it stops itself once off the page
    const stop = () => {
      clearInterval(timer);
      clearTimeout(pending);
      offs.forEach((off) => off());
    };
    return stop;
  },
};
