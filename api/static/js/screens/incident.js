// The incident page (#/incident/ID): the header with its clocks, the actions this role may
// take in this state (and only those), the statements with their versions and a diff
// between versions, the audit timeline, and the posts and the event behind the incident.
// Live "incident" and "clocks" events reload it; a form being filled in survives a reload.

import { addMessages, api, can, clock, countdown, el, fill, fmtTime, on, problem, session, t } from "../core.js";
import { postCard } from "./feed.js";

addMessages({
  zh: {
    "inc.title": "事件详情", "inc.notfound": "没有这个事件", "inc.back": "← 返回",
    "inc.brand": "品牌", "inc.severity": "级别", "inc.state": "状态", "inc.detected": "发现", "inc.category": "类别",
    "inc.rule": "规则", "inc.acked": "认领人", "inc.responded": "回应时间", "inc.resolved": "解决时间", "inc.alerts": "告警 {n} 次",
    "inc.clocks": "时限", "inc.actions": "可执行操作", "inc.noactions": "您的角色在当前状态下没有可执行的操作",
    "inc.ack": "认领", "inc.respond": "回应", "inc.respond.note": "回应说明（已回复、已发布说明、已采取的措施）",
    "inc.resolve": "解决", "inc.resolve.note": "结案说明（可选）",
    "inc.severity.change": "调整级别", "inc.severity.new": "新级别", "inc.severity.reason": "调整原因（可选）",
    "inc.director_ack": "总监确认收悉",
    "inc.done.ack": "已认领", "inc.done.respond": "已回应", "inc.done.resolve": "已解决",
    "inc.done.severity": "级别已调整", "inc.done.director_ack": "已确认收悉",
    "st.title": "声明", "st.none": "尚无声明", "st.draft": "起草新版本", "st.text": "声明正文",
    "st.version": "第 {n} 版", "st.author": "起草：{who} · {at}", "st.updated": "修改：{at}",
    "st.submitted": "提交审核：{at}", "st.reviewed": "{who} 审核于 {at}", "st.comment": "法务意见：{text}",
    "st.published": "{who} 发布于 {at}", "st.due": "声明时限：{at}",
    "st.state.draft": "草稿", "st.state.pending_legal": "待法务审核", "st.state.approved": "已批准",
    "st.state.rejected": "已驳回", "st.state.published": "已发布",
    "st.edit": "编辑", "st.submit": "提交法务审核", "st.approve": "批准", "st.reject": "驳回", "st.publish": "发布",
    "st.approve.comment": "审核意见（可选）", "st.reject.comment": "驳回意见（必填：告诉起草人要改什么）",
    "st.approve.confirm": "确认批准", "st.reject.confirm": "确认驳回", "st.save": "保存修改",
    "st.edit.voids": "修改已提交或已批准的版本会使审核作废，需重新提交", "st.own": "自己起草的版本不能由自己审核",
    "st.done.draft": "已起草第 {n} 版", "st.done.edit": "已保存第 {n} 版的修改", "st.done.submit": "第 {n} 版已提交法务审核",
    "st.done.approve": "第 {n} 版已批准", "st.done.reject": "第 {n} 版已驳回", "st.done.publish": "第 {n} 版已发布",
    "diff.versions": "第 {a} 版 → 第 {b} 版的修改", "diff.edit": "第 {n} 版最近一次编辑的修改",
    "diff.same": "正文相同", "diff.legend": "绿色为新增，红色删除线为删去",
    "tl.title": "时间线", "tl.intact": "✓ 记录链完整（哈希校验通过）", "tl.broken": "✗ 记录链校验失败：记录可能被改动",
    "tl.at": "时间", "tl.actor": "执行人", "tl.kind": "事项", "tl.details": "详情", "tl.system": "系统",
    "posts.title": "相关帖子（{n}）", "posts.none": "没有关联的帖子", "posts.more": "仅显示前 {n} 条",
    "posts.missing": "帖子 {key} 已不在库中",
    "event.title": "所属事件", "event.id": "事件编号：{id}", "event.manual": "人工创建的事件，不关联自动聚类的事件",
    "event.brand": "品牌事件（未聚类）：{brand}", "event.posts": "本事件帖子所属聚类：",
  },
  en: {
    "inc.title": "Incident", "inc.notfound": "No such incident", "inc.back": "← Back",
    "inc.brand": "Brand", "inc.severity": "Severity", "inc.state": "State", "inc.detected": "Detected", "inc.category": "Category",
    "inc.rule": "Rule", "inc.acked": "Acknowledged by", "inc.responded": "Responded", "inc.resolved": "Resolved", "inc.alerts": "{n} alerts",
    "inc.clocks": "Clocks", "inc.actions": "Actions", "inc.noactions": "Nothing your role can do in this state",
    "inc.ack": "Acknowledge", "inc.respond": "Respond", "inc.respond.note": "What was done (a reply, a holding statement, an action)",
    "inc.resolve": "Resolve", "inc.resolve.note": "Closing note (optional)",
    "inc.severity.change": "Change severity", "inc.severity.new": "New severity", "inc.severity.reason": "Reason (optional)",
    "inc.director_ack": "Director: acknowledge",
    "inc.done.ack": "Acknowledged", "inc.done.respond": "Responded", "inc.done.resolve": "Resolved",
    "inc.done.severity": "Severity changed", "inc.done.director_ack": "Receipt acknowledged",
    "st.title": "Statements", "st.none": "No statement yet", "st.draft": "Draft a new version", "st.text": "Statement text",
    "st.version": "Version {n}", "st.author": "Drafted by {who} · {at}", "st.updated": "Edited {at}",
    "st.submitted": "Submitted {at}", "st.reviewed": "Reviewed by {who} at {at}", "st.comment": "Legal's comment: {text}",
    "st.published": "Published by {who} at {at}", "st.due": "Statement due {at}",
    "st.state.draft": "Draft", "st.state.pending_legal": "Pending legal", "st.state.approved": "Approved",
    "st.state.rejected": "Rejected", "st.state.published": "Published",
    "st.edit": "Edit", "st.submit": "Submit to legal", "st.approve": "Approve", "st.reject": "Reject", "st.publish": "Publish",
    "st.approve.comment": "Comment (optional)", "st.reject.comment": "Comment (required: what to change)",
    "st.approve.confirm": "Confirm approval", "st.reject.confirm": "Confirm rejection", "st.save": "Save",
    "st.edit.voids": "Editing a submitted or approved version voids the review", "st.own": "Nobody reviews their own version",
    "st.done.draft": "Version {n} drafted", "st.done.edit": "Version {n} saved", "st.done.submit": "Version {n} submitted to legal",
    "st.done.approve": "Version {n} approved", "st.done.reject": "Version {n} rejected", "st.done.publish": "Version {n} published",
    "diff.versions": "Changes from version {a} to {b}", "diff.edit": "The last edit of version {n}",
    "diff.same": "Same text", "diff.legend": "green: added, struck red: removed",
    "tl.title": "Timeline", "tl.intact": "✓ Chain intact (hashes verify)", "tl.broken": "✗ Chain broken: the record may have been altered",
    "tl.at": "Time", "tl.actor": "Actor", "tl.kind": "What", "tl.details": "Details", "tl.system": "system",
    "posts.title": "Posts ({n})", "posts.none": "No posts attached", "posts.more": "Showing the first {n}",
    "posts.missing": "Post {key} is no longer stored",
    "event.title": "Event", "event.id": "Event {id}", "event.manual": "Opened by hand: no clustered event",
    "event.brand": "Brand-wide (no event cluster): {brand}", "event.posts": "Clusters of its posts: ",
  },
});

// what the timeline's kinds are called, in words
addMessages({
  zh: {
    "kind.detected": "发现事件", "kind.alert": "新告警", "kind.inhibited": "告警并入重大事件", "kind.severity_changed": "级别调整",
    "kind.acknowledged": "认领", "kind.responded": "回应", "kind.director_acknowledged": "总监确认收悉", "kind.resolved": "解决",
    "kind.note": "备注", "kind.breach": "超时", "kind.warning": "临近时限提醒", "kind.escalation": "升级通知",
    "kind.notification": "通知已送达", "kind.notification_failed": "通知发送失败",
    "kind.statement_drafted": "起草声明", "kind.statement_edited": "修改声明", "kind.statement_submitted": "声明提交法务",
    "kind.statement_approved": "法务批准声明", "kind.statement_rejected": "法务驳回声明", "kind.statement_published": "发布声明",
    "d.note": "说明：{v}", "d.title": "标题：{v}", "d.severity": "级别：{v}", "d.category": "类别：{v}", "d.rule": "规则：{v}",
    "d.post_key": "帖子：{v}", "d.count": "第 {v} 次告警", "d.change": "{old} → {new}", "d.clock": "时限：{v}",
    "d.due_at": "截止：{v}", "d.version": "第 {v} 版", "d.comment": "意见：{v}", "d.late": "超时完成",
    "d.clock_met": "达成时限：{v}", "d.clocks_closed": "关闭时限：{v}", "d.review_voided": "原审核作废",
    "d.recipient": "收件人：{v}", "d.channel": "渠道：{v}", "d.error": "错误：{v}", "d.notify": "通知：{v}",
    "d.silenced_by": "被静默规则 #{v} 静默", "d.summary": "概要：{v}", "d.attempt": "第 {v} 次尝试",
  },
  en: {
    "kind.detected": "Detected", "kind.alert": "Alert", "kind.inhibited": "Alert folded into the major incident",
    "kind.severity_changed": "Severity changed", "kind.acknowledged": "Acknowledged", "kind.responded": "Responded",
    "kind.director_acknowledged": "Director acknowledged", "kind.resolved": "Resolved", "kind.note": "Note", "kind.breach": "Breach",
    "kind.warning": "Deadline near", "kind.escalation": "Escalated", "kind.notification": "Notice delivered",
    "kind.notification_failed": "Notice failed", "kind.statement_drafted": "Statement drafted", "kind.statement_edited": "Statement edited",
    "kind.statement_submitted": "Statement submitted", "kind.statement_approved": "Statement approved",
    "kind.statement_rejected": "Statement rejected", "kind.statement_published": "Statement published",
    "d.note": "Note: {v}", "d.title": "Title: {v}", "d.severity": "Severity: {v}", "d.category": "Category: {v}", "d.rule": "Rule: {v}",
    "d.post_key": "Post: {v}", "d.count": "alert no. {v}", "d.change": "{old} → {new}", "d.clock": "Clock: {v}",
    "d.due_at": "Due: {v}", "d.version": "version {v}", "d.comment": "Comment: {v}", "d.late": "late",
    "d.clock_met": "Clock met: {v}", "d.clocks_closed": "Clocks closed: {v}", "d.review_voided": "review voided",
    "d.recipient": "To: {v}", "d.channel": "Channel: {v}", "d.error": "Error: {v}", "d.notify": "Notify: {v}",
    "d.silenced_by": "silenced by #{v}", "d.summary": "Summary: {v}", "d.attempt": "attempt {v}",
  },
});

const CLOCKS = ["response", "statement", "director_report"];
const SEVERITIES = ["general", "serious", "major"];
const OPEN = ["triggered", "acknowledged", "responded"];
const MAX_POSTS = 30;
const FEEDBACK = ["brand", "brand_lead", "director", "admin"]; // the roles that work the feed mark misclassified posts
const BACK = { legal: "#/legal", director: "#/director" }; // where each role's list of incidents is

// -- the diff ------------------------------------------------------------------------------------

const MAX_CELLS = 4_000_000; // the LCS table's size limit (16-bit cells: 8 MB)

/** The longest common subsequence of two token arrays, as ops [{ op: "=" | "-" | "+", token }]. */
function lcs(a, b) {
  const n = a.length;
  const m = b.length;
  // table[i * (m + 1) + j]: the LCS length of a[i:] and b[j:]
  const table = new Uint16Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i * (m + 1) + j] = a[i] === b[j]
        ? table[(i + 1) * (m + 1) + j + 1] + 1
        : Math.max(table[(i + 1) * (m + 1) + j], table[i * (m + 1) + j + 1]);
    }
  }
  const ops = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({ op: "=", token: a[i] });
      i++;
      j++;
    } else if (table[(i + 1) * (m + 1) + j] >= table[i * (m + 1) + j + 1]) ops.push({ op: "-", token: a[i++] });
    else ops.push({ op: "+", token: b[j++] });
  }
  while (i < n) ops.push({ op: "-", token: a[i++] });
  while (j < m) ops.push({ op: "+", token: b[j++] });
  return ops;
}

/** Split into lines/sentences (kept whole, ends included): the fallback for long texts. */
function sentences(text) {
  return text.match(/[^\n。！？!?；;]*[\n。！？!?；;]?/g).filter(Boolean);
}

/**
 * What changed from a to b: runs [{ op, text }] where op is "=" (kept), "-" (deleted) or
 * "+" (inserted). Character by character; by sentence when the texts are too long for that.
 */
export function diff(a, b) {
  const x = Array.from(a);
  const y = Array.from(b);
  let start = 0;
  while (start < x.length && start < y.length && x[start] === y[start]) start++;
  let endX = x.length;
  let endY = y.length;
  while (endX > start && endY > start && x[endX - 1] === y[endY - 1]) {
    endX--;
    endY--;
  }
  let midX = x.slice(start, endX);
  let midY = y.slice(start, endY);
  if (midX.length * midY.length > MAX_CELLS) {
    midX = sentences(midX.join(""));
    midY = sentences(midY.join(""));
  }
  const middle = midX.length * midY.length > MAX_CELLS
    ? [...midX.map((token) => ({ op: "-", token })), ...midY.map((token) => ({ op: "+", token }))]
    : lcs(midX, midY);
  const ops = [{ op: "=", token: x.slice(0, start).join("") }, ...middle, { op: "=", token: x.slice(endX).join("") }];
  // merge neighbours of the same kind into runs
  const runs = [];
  for (const { op, token } of ops) {
    if (!token) continue;
    const last = runs[runs.length - 1];
    if (last && last.op === op) last.text += token;
    else runs.push({ op, text: token });
  }
  return runs;
}

/** A diff as text nodes and <ins>/<del> elements. */
function diffView(before, after) {
  const runs = diff(before, after);
  if (runs.every((r) => r.op === "=")) return el("p", { class: "diff empty" }, t("diff.same"));
  return el("div", { class: "diff" },
    runs.map((r) => (r.op === "=" ? r.text : el(r.op === "+" ? "ins" : "del", {}, r.text))));
}

// -- forms that survive a reload -----------------------------------------------------------------

/**
 * The page is redrawn on every live event; what the user has open or typed is kept here
 * (by form name) and put back: { open: Set<name>, values: Map<field, value> }.
 */
function formMemory() {
  return { open: new Set(), values: new Map() };
}

/** A text field bound to the memory: its value is kept as it is typed. */
function field(memory, name, { label, multiline = true, required = false, initial = "", rows = 3 }) {
  const attrs = { name, "aria-label": label, placeholder: label, required, dataset: { field: name } };
  const input = multiline ? el("textarea", { ...attrs, rows }) : el("input", { ...attrs, type: "text" });
  input.value = memory.values.has(name) ? memory.values.get(name) : initial;
  input.addEventListener("input", () => memory.values.set(name, input.value));
  return input;
}

/**
 * A button that opens a small form under it. submit(form) runs the action; on success
 * the form closes and its fields are forgotten.
 */
function toggled(memory, name, buttonLabel, fields, submitLabel, submit, { className = "" } = {}) {
  const form = el("form", { class: "inline-form", hidden: !memory.open.has(name), dataset: { form: name } },
    fields, el("div", { class: "form-buttons" },
      el("button", { type: "submit", class: "primary" }, submitLabel),
      el("button", { type: "button", onclick: () => close() }, t("cancel"))));
  const names = () => [...form.querySelectorAll("[data-field]")].map((f) => f.dataset.field);
  const forget = () => {
    memory.open.delete(name);
    for (const f of names()) memory.values.delete(f);
  };
  const close = () => {
    forget();
    form.hidden = true;
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    // forgotten before the action (its reload must draw the form closed), kept if it fails
    const kept = names().filter((f) => memory.values.has(f)).map((f) => [f, memory.values.get(f)]);
    forget();
    if (!(await submit(form))) {
      memory.open.add(name);
      for (const [f, value] of kept) memory.values.set(f, value);
    }
  });
  const button = el("button", {
    type: "button", class: className, "aria-expanded": String(!form.hidden),
    onclick: () => {
      if (form.hidden) {
        memory.open.add(name);
        form.hidden = false;
        form.querySelector("textarea, input, select")?.focus();
      } else close();
    },
  }, buttonLabel);
  return el("span", { class: "toggled" }, button, form);
}

// -- the header ----------------------------------------------------------------------------------

function clocksView(incident) {
  return el("div", { class: "clocks", id: "incident-clocks" }, CLOCKS.map((kind) => {
    const timer = incident.timers.find((x) => x.kind === kind);
    const c = countdown(incident.deadlines[kind + "_due"], timer?.started_at, incident.sla[kind]);
    return el("div", { class: "clock-box clock-" + c.level, dataset: { clock: kind } },
      el("span", { class: "clock-name" }, t("clock." + kind)),
      el("strong", {}, c.text),
      incident.deadlines[kind + "_due"] && el("small", {}, fmtTime(incident.deadlines[kind + "_due"])));
  }));
}

function fact(label, value) {
  return value === null || value === undefined || value === "" ? null : el("span", { class: "fact" }, el("b", {}, label), " ", value);
}

function header(incident) {
  return el("div", { class: "card incident-head" },
    el("h2", {}, "#" + incident.id, " ", el("span", { id: "incident-title" }, incident.title), " ",
      el("span", { class: "badge sev-" + incident.severity, id: "incident-severity" }, t("severity." + incident.severity)), " ",
      el("span", { class: "badge state-" + incident.state, id: "incident-state" }, t("state." + incident.state))),
    el("p", { class: "facts" },
      fact(t("inc.brand"), incident.brand || "—"), fact(t("inc.detected"), fmtTime(incident.detected_at)),
      fact(t("inc.category"), incident.category), fact(t("inc.rule"), incident.rule),
      el("span", { class: "fact" }, t("inc.alerts", { n: incident.alert_count })),
      fact(t("inc.acked"), incident.acknowledged_by), fact(t("inc.responded"), incident.responded_at && fmtTime(incident.responded_at)),
      fact(t("inc.resolved"), incident.resolved_at && fmtTime(incident.resolved_at))),
    incident.summary && el("p", { class: "summary" }, incident.summary),
    clocksView(incident));
}

// -- the incident's actions ----------------------------------------------------------------------

/** Whether the director's report clock of this incident is still waiting for the director. */
function directorWaiting(incident) {
  const timer = incident.timers.find((x) => x.kind === "director_report");
  return Boolean(timer && !timer.met_at && !timer.cancelled_at);
}

/** The incident's actions this role may take in this state; ctx.act(path, body, done) runs one. */
function incidentActions(incident, ctx) {
  const { memory, act } = ctx;
  const open = OPEN.includes(incident.state);
  const out = [];
  if (can("incident.ack") && incident.state === "triggered") {
    out.push(el("button", { type: "button", onclick: () => act(`incidents/${incident.id}/ack`, undefined, "inc.done.ack") }, t("inc.ack")));
  }
  if (can("incident.respond") && ["triggered", "acknowledged"].includes(incident.state)) {
    const note = field(memory, "respond.note", { label: t("inc.respond.note"), required: true });
    out.push(toggled(memory, "respond", t("inc.respond"), note, t("submit"),
      () => note.value.trim() && act(`incidents/${incident.id}/respond`, { note: note.value.trim() }, "inc.done.respond")));
  }
  if (can("incident.resolve") && incident.state === "responded") {
    const note = field(memory, "resolve.note", { label: t("inc.resolve.note") });
    out.push(toggled(memory, "resolve", t("inc.resolve"), note, t("submit"),
      () => act(`incidents/${incident.id}/resolve`, { note: note.value.trim() || null }, "inc.done.resolve")));
  }
  if (can("incident.severity") && open) {
    const level = el("select", { name: "severity", "aria-label": t("inc.severity.new") },
      SEVERITIES.filter((s) => s !== incident.severity).map((s) => el("option", { value: s }, t("severity." + s))));
    const reason = field(memory, "severity.reason", { label: t("inc.severity.reason"), multiline: false });
    out.push(toggled(memory, "severity", t("inc.severity.change"), [level, reason], t("submit"),
      () => act(`incidents/${incident.id}/severity`, { severity: level.value, reason: reason.value.trim() || null }, "inc.done.severity")));
  }
  if (can("incident.director_ack") && open && incident.severity === "major" && directorWaiting(incident)) {
    out.push(el("button", { type: "button", class: "primary", onclick: () => act(`incidents/${incident.id}/director-ack`, undefined, "inc.done.director_ack") },
      t("inc.director_ack")));
  }
  return el("div", { class: "card", id: "incident-actions" },
    el("h3", {}, t("inc.actions")),
    out.length ? el("div", { class: "toolbar" }, out) : el("p", { class: "empty" }, t("inc.noactions")));
}

// -- statements ----------------------------------------------------------------------------------

/** Whether a new version may be drafted: nothing in progress, nothing published, the incident open. */
function mayDraft(incident, statements) {
  return can("statement.draft") && OPEN.includes(incident.state)
    && !statements.some((s) => ["draft", "pending_legal", "approved", "published"].includes(s.state));
}

function statementActions(s, ctx) {
  const { memory, act } = ctx;
  if (!ctx.open) return null; // a resolved incident's statements are a record: nothing more to do
  const n = s.version;
  const done = (key) => [key, { n }];
  const out = [];
  if (can("statement.edit") && ["draft", "pending_legal", "approved"].includes(s.state)) {
    const text = field(memory, `edit.${s.id}`, { label: t("st.text"), required: true, initial: s.text, rows: 6 });
    out.push(toggled(memory, `edit-${s.id}`, t("st.edit"),
      [s.state !== "draft" && el("p", { class: "hint" }, t("st.edit.voids")), text], t("st.save"),
      async () => {
        return act(`statements/${s.id}`, { text: text.value }, ...done("st.done.edit"), "PUT");
      }));
  }
  if (can("statement.submit") && s.state === "draft") {
    out.push(el("button", { type: "button", onclick: () => act(`statements/${s.id}/submit`, undefined, ...done("st.done.submit")) }, t("st.submit")));
  }
  if (s.state === "pending_legal" && (can("statement.approve") || can("statement.reject"))) {
    if (s.author === session.user.username) out.push(el("span", { class: "hint" }, t("st.own")));
    else {
      if (can("statement.approve")) {
        const comment = field(memory, `approve.${s.id}`, { label: t("st.approve.comment"), rows: 2 });
        out.push(toggled(memory, `approve-${s.id}`, t("st.approve"), comment, t("st.approve.confirm"),
          () => act(`statements/${s.id}/approve`, { comment: comment.value.trim() || null }, ...done("st.done.approve")), { className: "primary" }));
      }
      if (can("statement.reject")) {
        const comment = field(memory, `reject.${s.id}`, { label: t("st.reject.comment"), rows: 2, required: true });
        out.push(toggled(memory, `reject-${s.id}`, t("st.reject"), comment, t("st.reject.confirm"),
          () => comment.value.trim() && act(`statements/${s.id}/reject`, { comment: comment.value.trim() }, ...done("st.done.reject")),
          { className: "danger" }));
      }
    }
  }
  if (can("statement.publish") && s.state === "approved") {
    out.push(el("button", { type: "button", class: "primary", onclick: () => act(`statements/${s.id}/publish`, undefined, ...done("st.done.publish")) }, t("st.publish")));
  }
  return out.length ? el("div", { class: "toolbar" }, out) : null;
}

/** The version's last edit, from the timeline (which keeps the text an edit replaced). */
function lastEdit(s, ctx) {
  const edits = ctx.timeline.filter((e) => e.kind === "statement_edited" && e.details.statement_id === s.id);
  const last = edits[edits.length - 1];
  return last && last.details.text === s.text && typeof last.details.previous_text === "string"
    ? { before: last.details.previous_text, after: last.details.text } : null;
}

function statementView(s, ctx) {
  const edit = lastEdit(s, ctx);
  return el("div", { class: "statement st-" + s.state, dataset: { statementId: s.id, version: s.version } },
    el("h4", {}, t("st.version", { n: s.version }), " ",
      el("span", { class: "badge st-state" }, t("st.state." + s.state))),
    el("p", { class: "facts" },
      el("span", {}, t("st.author", { who: s.author, at: fmtTime(s.created_at) })),
      s.updated_at !== s.created_at && el("span", {}, t("st.updated", { at: fmtTime(s.updated_at) })),
      s.submitted_at && el("span", {}, t("st.submitted", { at: fmtTime(s.submitted_at) })),
      s.reviewer && el("span", {}, t("st.reviewed", { who: s.reviewer, at: fmtTime(s.reviewed_at) })),
      s.published_at && el("span", {}, t("st.published", { who: s.published_by, at: fmtTime(s.published_at) }))),
    s.review_comment && el("p", { class: "review-comment" }, t("st.comment", { text: s.review_comment })),
    el("div", { class: "statement-text" }, s.text),
    edit && edit.after === s.text && el("div", { class: "diff-box edit-diff" },
      el("h5", {}, t("diff.edit", { n: s.version })), diffView(edit.before, edit.after)),
    statementActions(s, ctx));
}

function statementsView(incident, statements, ctx) {
  const items = [];
  statements.forEach((s, i) => {
    // between consecutive versions: what the new one changed
    if (i > 0) {
      const prev = statements[i - 1];
      items.push(el("div", { class: "diff-box version-diff", dataset: { from: prev.version, to: s.version } },
        el("h5", {}, t("diff.versions", { a: prev.version, b: s.version }), " ", el("small", {}, t("diff.legend"))),
        diffView(prev.text, s.text)));
    }
    items.push(statementView(s, ctx));
  });
  let draft = null;
  if (mayDraft(incident, statements)) {
    const last = statements[statements.length - 1];
    const text = field(ctx.memory, "draft.text", { label: t("st.text"), required: true, initial: last ? last.text : "", rows: 6 });
    const next = statements.length ? Math.max(...statements.map((s) => s.version)) + 1 : 1;
    draft = toggled(ctx.memory, "draft", t("st.draft"), text, t("submit"),
      () => ctx.act(`incidents/${incident.id}/statements`, { text: text.value }, "st.done.draft", { n: next }),
      { className: "primary" });
  }
  const due = incident.deadlines.statement_due;
  return el("div", { class: "card", id: "incident-statements" },
    el("h3", {}, t("st.title"), " ", due && el("small", {}, t("st.due", { at: fmtTime(due) }))),
    draft,
    statements.length ? items : el("p", { class: "empty" }, t("st.none")));
}

// -- the timeline --------------------------------------------------------------------------------

/** A timeline entry's details in words: the ones people care about, in a fixed order. */
function details(kind, d) {
  const parts = [];
  const say = (key, v) => parts.push(t("d." + key, { v }));
  const sev = (v) => t("severity." + v);
  const clocks = (v) => [].concat(v).map((k) => t("clock." + k)).join("、");
  if (d.title) say("title", d.title);
  if (d.severity) say("severity", sev(d.severity));
  if (d.old && d.new) parts.push(t("d.change", { old: sev(d.old), new: sev(d.new) }));
  if (d.rule) say("rule", d.rule);
  if (d.post_key) say("post_key", d.post_key);
  if (d.count) say("count", d.count);
  if (d.version) say("version", d.version);
  if (d.clock) say("clock", clocks(d.clock));
  if (d.due_at) say("due_at", fmtTime(d.due_at));
  if (d.clock_met) say("clock_met", clocks(d.clock_met));
  if (d.clocks_closed?.length) say("clocks_closed", clocks(d.clocks_closed));
  if (d.notify?.length) say("notify", d.notify.map((r) => t("role." + r)).join("、"));
  if (d.recipient) say("recipient", d.recipient);
  if (d.channel) say("channel", d.channel);
  if (d.attempt) say("attempt", d.attempt);
  if (d.error) say("error", d.error);
  if (d.silenced_by) say("silenced_by", d.silenced_by);
  if (d.review_voided) parts.push(t("d.review_voided"));
  if (d.late) parts.push(t("d.late"));
  if (d.note) say("note", d.note);
  if (d.comment) say("comment", d.comment);
  if (d.summary) say("summary", d.summary);
  return parts.join("；");
}

function timelineView(timeline) {
  return el("div", { class: "card", id: "incident-timeline" },
    el("h3", {}, t("tl.title"), " ",
      el("span", { id: "timeline-intact", class: timeline.intact ? "intact" : "broken" },
        timeline.intact ? t("tl.intact") : t("tl.broken"))),
    el("table", { class: "timeline" },
      el("thead", {}, el("tr", {}, ["tl.at", "tl.actor", "tl.kind", "tl.details"].map((k) => el("th", {}, t(k))))),
      el("tbody", {}, timeline.items.map((e) => el("tr", { dataset: { kind: e.kind } },
        el("td", { class: "nowrap" }, fmtTime(e.at)),
        el("td", {}, e.actor === "system" ? t("tl.system") : e.actor),
        el("td", { class: "nowrap" }, t("kind." + e.kind) === "kind." + e.kind ? e.kind : t("kind." + e.kind)),
        el("td", {}, details(e.kind, e.details || {})))))));
}

// -- the posts and the event ---------------------------------------------------------------------

/** "brand:X:event:ID" -> { brand, event } (a manual incident's key is "manual:…"). */
function eventOf(incident) {
  const m = /^brand:(.*?)(?::event:(.+))?$/.exec(incident.group_key);
  return m ? { brand: m[1], event: m[2] || null } : null;
}

function eventView(incident, posts) {
  const found = eventOf(incident);
  const clusters = [...new Set(posts.map((p) => p?.analysis?.event_id).filter(Boolean))];
  let line;
  if (!found) line = t("event.manual");
  else if (found.event) line = t("event.id", { id: found.event });
  else line = t("event.brand", { brand: found.brand });
  return el("div", { class: "card", id: "incident-event" },
    el("h3", {}, t("event.title")),
    el("p", {}, line),
    clusters.length && !(found?.event && clusters.length === 1 && clusters[0] === found.event)
      ? el("p", { class: "hint" }, t("event.posts"), clusters.join("、")) : null);
}

async function loadPosts(keys, cache) {
  await Promise.all(keys.filter((k) => !cache.has(k)).map(async (key) => {
    try {
      cache.set(key, await api("/api/posts/" + encodeURIComponent(key)));
    } catch {
      cache.set(key, null);
    }
  }));
  return keys.map((k) => cache.get(k));
}

function postsView(keys, posts) {
  return el("div", { class: "card", id: "incident-posts" },
    el("h3", {}, t("posts.title", { n: keys.length })),
    keys.length > MAX_POSTS && el("p", { class: "hint" }, t("posts.more", { n: MAX_POSTS })),
    keys.length ? posts.map((p, i) => (p ? postCard(p, { feedback: FEEDBACK.includes(session.user.role) }) : el("p", { class: "empty" }, t("posts.missing", { key: keys[i] }))))
      : el("p", { class: "empty" }, t("posts.none")));
}

// -- the screen ----------------------------------------------------------------------------------

export default {
  path: "#/incident",
  nav: false,
  roles: ["brand", "brand_lead", "legal", "director", "admin"],
  title: () => t("inc.title"),
  async render(root, params) {
    const id = Number(params[0]);
    if (!Number.isInteger(id) || id <= 0) return fill(root, el("p", { class: "empty" }, t("inc.notfound")));
    const status = el("p", { class: "status", role: "status", id: "incident-status" });
    const parts = { head: el("div"), actions: el("div"), statements: el("div"), event: el("div"), posts: el("div"), timeline: el("div") };
    fill(root, el("section", { id: "incident-view", dataset: { incidentId: id } },
      el("p", {}, el("a", { href: BACK[session.user.role] || "#/board", class: "back" }, t("inc.back"))),
      parts.head, status, el("div", { class: "incident-grid" },
        el("div", { class: "incident-main" }, parts.actions, parts.statements, parts.timeline),
        el("div", { class: "incident-side" }, parts.event, parts.posts))));

    const memory = formMemory();
    const cache = new Map(); // post key -> post (or null)
    let incident = null;
    let postKeys = null;
    let generation = 0;
    const ctx = { memory, timeline: [], act: null, open: false };

    // run an action through the API; a readable message either way; true when it worked
    ctx.act = async (path, body, doneKey, vars = {}, method = "POST") => {
      const say = (text, ok) => {
        fill(status, text);
        status.className = "status " + (ok ? "ok" : "error");
      };
      try {
        await api("/api/" + path, { method, body });
      } catch (error) {
        say(problem(error), false);
        return false;
      }
      await reload().catch(() => {}); // the page shows the new state before it says "done"
      say(t(doneKey, vars), true);
      return true;
    };

    // draw the page from fresh answers; a drawing overtaken by a newer one waits for that one,
    // so whoever awaits reload() (an action, before it says "done") sees the page up to date
    let latest = null;
    let left = false; // the user has left the page
    const reload = () => (latest = draw());
    const draw = async () => {
      const mine = ++generation;
      const [inc, statements, timeline, me] = await Promise.all([
        api(`/api/incidents/${id}`), api(`/api/incidents/${id}/statements`), api(`/api/incidents/${id}/timeline`),
        api("/api/auth/me"),
      ]);
      if (mine !== generation) return left ? undefined : latest;
      // the server's now (a drill's clock runs ahead): the countdowns count from it
      if (me.now) clock.offset = new Date(me.now).getTime() - Date.now();
      incident = inc;
      ctx.open = OPEN.includes(incident.state);
      const focus = focused(root);
      fill(parts.head, header(incident));
      fill(parts.actions, incidentActions(incident, ctx));
      ctx.timeline = timeline.items;
      fill(parts.statements, statementsView(incident, statements, ctx));
      fill(parts.timeline, timelineView(timeline));
      restoreFocus(root, focus);
      // the posts change seldom: drawn again only when the incident's list does
      const keys = incident.post_keys.slice(0, MAX_POSTS);
      if (postKeys === null || keys.join() !== postKeys.join()) {
        postKeys = keys;
        const posts = await loadPosts(keys, cache);
        fill(parts.event, eventView(incident, posts));
        fill(parts.posts, postsView(incident.post_keys, posts));
      }
    };

    try {
      await reload();
    } catch (error) {
      if (error.status === 404) return fill(root, el("p", { class: "empty" }, t("inc.notfound")));
      throw error;
    }

    // the countdowns move every second
    const timer = setInterval(() => {
      const clocks = parts.head.querySelector("#incident-clocks");
      if (incident && clocks) clocks.replaceWith(clocksView(incident));
    }, 1000);
    let pending = null;
    const soon = () => {
      clearTimeout(pending);
      pending = setTimeout(() => reload().catch(() => {}), 300);
    };
    const offs = [
      on("incident", (event) => Number(event.id) === id && soon()),
      on("clocks", soon),
    ];
    return () => {
      left = true;
      generation += 1;
      clearInterval(timer);
      clearTimeout(pending);
      offs.forEach((off) => off());
    };
  },
};

/** Which memory-bound field has the focus (and where the caret is), to restore after a redraw. */
function focused(root) {
  const active = document.activeElement;
  if (!active || !root.contains(active) || !active.dataset?.field) return null;
  return { field: active.dataset.field, start: active.selectionStart, end: active.selectionEnd };
}

function restoreFocus(root, focus) {
  if (!focus) return;
  const node = root.querySelector(`[data-field="${CSS.escape(focus.field)}"]`);
  if (!node || node.closest("form")?.hidden) return;
  node.focus();
  if (node.setSelectionRange && focus.start !== null) node.setSelectionRange(focus.start, focus.end);
}
