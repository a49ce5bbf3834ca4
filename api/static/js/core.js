// What every screen of the console shares: the API, the DOM builder, messages in two
// languages, times and countdowns, the live stream, the signed-in user.
//
// Crawled text is untrusted. It reaches the page only through el()/text nodes
// (textContent), never through innerHTML or an HTML string: a post that carries
// <script> or onerror= is shown as those characters and runs nothing.

const TOKEN_KEY = "yuqing.token";
const LANG_KEY = "yuqing.lang";

// -- messages ----------------------------------------------------------------------------

const messages = { zh: {}, en: {} };

/** Add a screen's messages: addMessages({ zh: { key: "…" }, en: { key: "…" } }). */
export function addMessages(more) {
  for (const lang of Object.keys(more)) Object.assign(messages[lang] || (messages[lang] = {}), more[lang]);
}

export function lang() {
  return localStorage.getItem(LANG_KEY) === "en" ? "en" : "zh";
}

export function setLang(value) {
  localStorage.setItem(LANG_KEY, value === "en" ? "en" : "zh");
  document.documentElement.lang = value === "en" ? "en" : "zh-CN";
}

/** The message for key in the current language; {name} placeholders filled from vars. */
export function t(key, vars = {}) {
  const text = messages[lang()][key] ?? messages.zh[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : "{" + name + "}"));
}

addMessages({
  zh: {
    "severity.general": "一般", "severity.serious": "较大", "severity.major": "重大",
    "state.triggered": "待处理", "state.acknowledged": "已认领", "state.responded": "已回应", "state.resolved": "已解决",
    "clock.response": "响应", "clock.statement": "声明", "clock.director_report": "总监报告",
    "sla.pending": "进行中", "sla.met": "已达成", "sla.breached": "已超时",
    "sentiment.negative": "负面", "sentiment.neutral": "中性", "sentiment.positive": "正面",
    "role.brand": "品牌专员", "role.brand_lead": "品牌主管", "role.legal": "法务", "role.director": "营销总监", "role.admin": "管理员",
    "error.expired": "登录已过期，请重新登录", "error.forbidden": "您的角色无权执行此操作", "error.generic": "操作失败：{detail}",
    "time.overdue": "超时 {span}", "time.left": "剩 {span}", "time.none": "—",
    "loading": "加载中…", "empty": "暂无数据", "refresh": "刷新", "cancel": "取消", "submit": "提交", "confirm": "确定",
  },
  en: {
    "severity.general": "General", "severity.serious": "Serious", "severity.major": "Major",
    "state.triggered": "Triggered", "state.acknowledged": "Acknowledged", "state.responded": "Responded", "state.resolved": "Resolved",
    "clock.response": "Response", "clock.statement": "Statement", "clock.director_report": "Director report",
    "sla.pending": "Running", "sla.met": "Met", "sla.breached": "Breached",
    "sentiment.negative": "Negative", "sentiment.neutral": "Neutral", "sentiment.positive": "Positive",
    "role.brand": "Brand team", "role.brand_lead": "Brand lead", "role.legal": "Legal", "role.director": "Director", "role.admin": "Admin",
    "error.expired": "Your session has expired; please sign in again", "error.forbidden": "Your role may not do this", "error.generic": "Failed: {detail}",
    "time.overdue": "{span} overdue", "time.left": "{span} left", "time.none": "—",
    "loading": "Loading…", "empty": "Nothing here", "refresh": "Refresh", "cancel": "Cancel", "submit": "Submit", "confirm": "OK",
  },
});

// -- the DOM, safely -----------------------------------------------------------------------

/**
 * el("td", { class: "sev-major", dataset: { id: 3 }, onclick: fn }, "text", childNode, …)
 * Strings become text nodes; attributes are set one by one; on* keys take functions only.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key.startsWith("on")) throw new Error("event handlers must be functions");
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace a node's children. */
export function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

/** Text with some words highlighted (<mark>), built from text nodes only. */
export function highlight(text, words) {
  const span = el("span");
  const terms = (words || []).flatMap((w) => String(w).split("+")).filter((w) => w && w.length <= 20);
  if (!terms.length || !text) return fill(span, text || "");
  const pattern = new RegExp("(" + terms.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|") + ")", "g");
  for (const part of String(text).split(pattern)) {
    span.appendChild(terms.includes(part) ? el("mark", {}, part) : document.createTextNode(part));
  }
  return span;
}

// -- the API ---------------------------------------------------------------------------------

export class ApiError extends Error {
  constructor(status, detail) {
    super(typeof detail === "string" ? detail : JSON.stringify(detail));
    this.status = status;
    this.detail = detail;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

let onExpired = () => {};
export function whenExpired(fn) {
  onExpired = fn;
}

/** Call the API; JSON in and out. Throws ApiError with the server's detail. */
export async function api(path, { method = "GET", body, form } = {}) {
  const headers = {};
  if (token()) headers.Authorization = "Bearer " + token();
  let payload;
  if (form) payload = new URLSearchParams(form);
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const response = await fetch(path, { method, headers, body: payload });
  const data = response.headers.get("content-type")?.includes("json") ? await response.json() : null;
  if (response.status === 401 && path !== "/api/auth/token") {
    onExpired();
    throw new ApiError(401, t("error.expired"));
  }
  if (!response.ok) throw new ApiError(response.status, data?.detail ?? response.statusText);
  return data;
}

/** A readable message for a failed action. */
export function problem(error) {
  if (error instanceof ApiError && error.status === 403) return t("error.forbidden");
  const detail = error instanceof ApiError && Array.isArray(error.detail)
    ? error.detail.map((d) => d.msg).join("; ")
    : error.message;
  return t("error.generic", { detail });
}

// -- the signed-in user ------------------------------------------------------------------------

export const session = { user: null };

/** Whether the signed-in user's role may do this action (the server checks again). */
export function can(action) {
  return Boolean(session.user && session.user.actions.includes(action));
}

// -- times -------------------------------------------------------------------------------------

export function fmtTime(iso) {
  if (!iso) return t("time.none");
  return new Date(iso).toLocaleString(lang() === "en" ? "en-GB" : "zh-CN", {
    timeZone: "Asia/Shanghai", hour12: false, month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  });
}

export function span(ms) {
  const minutes = Math.floor(Math.abs(ms) / 60000);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (lang() === "en") return h ? `${h}h ${m}m` : `${m}m`;
  return h ? `${h}小时${m}分` : `${m}分`;
}

/** The server's idea of now (a drill's clock runs ahead): offset learnt from /api/auth/me. */
export const clock = { offset: 0, now: () => Date.now() + clock.offset };

/**
 * A countdown to a deadline: { text, level } with level "ok", "near" (amber: a quarter of
 * the time or less is left) or "breached" (red), or "met" / "none".
 */
export function countdown(dueIso, startIso, status) {
  if (!dueIso || !status) return { text: t("time.none"), level: "none" };
  if (status === "met") return { text: t("sla.met"), level: "met" };
  const due = new Date(dueIso).getTime();
  const left = due - clock.now();
  if (status === "breached" || left < 0) return { text: t("time.overdue", { span: span(left) }), level: "breached" };
  const window = startIso ? due - new Date(startIso).getTime() : 0;
  const near = window > 0 ? left <= window / 4 : left <= 30 * 60000;
  return { text: t("time.left", { span: span(left) }), level: near ? "near" : "ok" };
}

// -- the live stream -----------------------------------------------------------------------------

const listeners = new Map();
let streaming = null;

/** Call fn(event) for each live event of this type ("post", "notice", "incident", "clocks"). */
export function on(type, fn) {
  if (!listeners.has(type)) listeners.set(type, new Set());
  listeners.get(type).add(fn);
  return () => listeners.get(type).delete(fn);
}

function dispatch(type, data) {
  for (const fn of listeners.get(type) || []) {
    try {
      fn(data);
    } catch (error) {
      console.error(error);
    }
  }
}

/** Read /api/stream (SSE) with the token in the header; reconnect after a drop. */
export function startLive() {
  if (streaming) return;
  const controller = new AbortController();
  streaming = controller;
  (async () => {
    while (!controller.signal.aborted && token()) {
      try {
        const response = await fetch("/api/stream", {
          headers: { Authorization: "Bearer " + token() }, signal: controller.signal,
        });
        if (!response.ok) throw new Error("stream " + response.status);
        dispatch("connected", {});
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let cut;
          while ((cut = buffer.indexOf("\n\n")) >= 0) {
            const frame = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const type = /^event: (.*)$/m.exec(frame)?.[1];
            const data = /^data: (.*)$/m.exec(frame)?.[1];
            if (type && data) dispatch(type, JSON.parse(data));
          }
        }
      } catch (error) {
        if (controller.signal.aborted) return;
      }
      dispatch("disconnected", {});
      await new Promise((resolve) => setTimeout(resolve, 3000));
    }
  })();
}

export function stopLive() {
  if (streaming) streaming.abort();
  streaming = null;
}
