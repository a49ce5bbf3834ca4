// The console reads the same API as any client. Crawled text goes in with
// textContent only: it is untrusted and must never be parsed as HTML.
"use strict";

const SEVERITY = { general: "一般", serious: "较大", major: "重大" };
const STATE = { triggered: "待处理", acknowledged: "已认领", responded: "已响应", resolved: "已解决" };
const TOKEN_KEY = "yuqing.token";

const $ = (id) => document.getElementById(id);

function formatTime(iso) {
  if (!iso) return "—";
  return new Date(iso).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false });
}

async function api(path, options = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const headers = Object.assign({}, options.headers || {});
  if (token) headers.Authorization = "Bearer " + token;
  const response = await fetch(path, Object.assign({}, options, { headers }));
  if (response.status === 401 && path !== "/api/auth/token") {
    logout();
    throw new Error("登录已过期，请重新登录");
  }
  return response;
}

function cell(row, text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  row.appendChild(td);
}

async function showIncidents() {
  const me = await (await api("/api/auth/me")).json();
  $("who").textContent = me.username + "（" + me.role + "）";
  $("whoami").hidden = false;
  $("login-view").hidden = true;
  $("incidents-view").hidden = false;
  const data = await (await api("/api/incidents")).json();
  const body = document.querySelector("#incidents tbody");
  body.replaceChildren();
  const now = Date.now();
  for (const incident of data.items) {
    const row = document.createElement("tr");
    row.dataset.incidentId = incident.id;
    cell(row, "#" + incident.id);
    cell(row, incident.brand);
    cell(row, incident.title);
    cell(row, SEVERITY[incident.severity] || incident.severity, "sev-" + incident.severity);
    cell(row, STATE[incident.state] || incident.state);
    cell(row, formatTime(incident.detected_at));
    const due = incident.response_due;
    const overdue = due && incident.state === "triggered" && new Date(due).getTime() < now;
    cell(row, formatTime(due) + (overdue ? "（已超时）" : ""), overdue ? "overdue" : "");
    cell(row, String(incident.alert_count));
    body.appendChild(row);
  }
  $("incident-count").textContent = "共 " + data.items.length + " 个";
  $("incidents-empty").hidden = data.items.length > 0;
}

function logout() {
  sessionStorage.removeItem(TOKEN_KEY);
  $("whoami").hidden = true;
  $("incidents-view").hidden = true;
  $("login-view").hidden = false;
}

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("login-error").textContent = "";
  const form = new URLSearchParams(new FormData(event.target));
  try {
    const response = await api("/api/auth/token", { method: "POST", body: form });
    if (!response.ok) {
      $("login-error").textContent = "用户名或密码错误";
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, (await response.json()).access_token);
    await showIncidents();
  } catch (error) {
    $("login-error").textContent = "登录失败：" + error.message;
  }
});

$("logout").addEventListener("click", logout);

if (sessionStorage.getItem(TOKEN_KEY)) {
  showIncidents().catch(() => logout());
}
