// The console's shell: login, the navigation each role sees, the hash router, the
// language switch and the live notices. Each screen is a module in screens/ that
// exports { path, roles, title, render(root, params) } and registers its messages.

import {
  addMessages, api, el, fill, lang, on, problem, session, setLang, setToken, startLive, stopLive, t, token,
  whenExpired, clock,
} from "./core.js";
import board from "./screens/board.js";
import feed from "./screens/feed.js";
import incident from "./screens/incident.js";
import legal from "./screens/legal.js";
import director from "./screens/director.js";
import trends from "./screens/trends.js";
import sources from "./screens/sources.js";
import admin from "./screens/admin.js";

const SCREENS = [feed, board, incident, legal, director, trends, sources, admin];
const HOME = { brand: "#/board", brand_lead: "#/board", legal: "#/legal", director: "#/director", admin: "#/admin" };

addMessages({
  zh: {
    "app.title": "舆情监控", "login.title": "登录", "login.username": "用户名", "login.password": "密码",
    "login.submit": "登录", "login.wrong": "用户名或密码错误", "login.failed": "登录失败：{detail}",
    "logout": "退出", "lang.switch": "English", "live.on": "实时连接", "live.off": "连接中断，重连中…",
    "notfound": "没有这个页面",
  },
  en: {
    "app.title": "Brand monitor", "login.title": "Sign in", "login.username": "User name", "login.password": "Password",
    "login.submit": "Sign in", "login.wrong": "Wrong user name or password", "login.failed": "Sign-in failed: {detail}",
    "logout": "Sign out", "lang.switch": "中文", "live.on": "Live", "live.off": "Reconnecting…",
    "notfound": "No such page",
  },
});

const $ = (id) => document.getElementById(id);
let cleanup = null; // what the current screen wants done when it is left
let renders = 0; // which render is the current one

function visible(screen) {
  return screen.nav && session.user && screen.roles.includes(session.user.role);
}

function renderChrome() {
  document.title = t("app.title") + " · yuqing";
  fill($("app-title"), t("app.title"), " ", el("small", {}, "yuqing"));
  fill($("lang"), t("lang.switch"));
  const user = session.user;
  $("whoami").hidden = !user;
  $("nav").hidden = !user;
  if (!user) return;
  fill($("who"), user.username + "（" + t("role." + user.role) + "）");
  fill($("logout"), t("logout"));
  const current = location.hash.split("/").slice(0, 2).join("/");
  fill(
    $("nav"),
    SCREENS.filter(visible).map((s) =>
      el("a", { href: s.path, class: s.path === current ? "active" : "", "data-screen": s.path.slice(2) }, s.title()),
    ),
  );
}

function renderLogin() {
  $("view").hidden = true;
  $("login-view").hidden = false;
  fill($("login-title"), t("login.title"));
  fill($("username-label"), t("login.username"));
  fill($("password-label"), t("login.password"));
  fill($("login-submit"), t("login.submit"));
  $("username").focus();
}

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = $("login-error");
  fill(error);
  try {
    const response = await fetch("/api/auth/token", { method: "POST", body: new URLSearchParams(new FormData(event.target)) });
    if (!response.ok) {
      fill(error, t("login.wrong"));
      return;
    }
    setToken((await response.json()).access_token);
    $("password").value = "";
    await signedIn();
  } catch (e) {
    fill(error, t("login.failed", { detail: e.message }));
  }
});

async function signedIn() {
  session.user = await api("/api/auth/me");
  clock.offset = new Date(session.user.now).getTime() - Date.now();
  startLive();
  const home = HOME[session.user.role] || "#/board";
  if (!location.hash || location.hash === "#/" || location.hash === "#/login") location.hash = home;
  else route();
}

function signOut() {
  setToken(null);
  stopLive();
  session.user = null;
  if (cleanup) cleanup();
  cleanup = null;
  renders += 1; // a render still loading is stale now
  fill($("view"));
  history.replaceState(null, "", "#/login");
  renderChrome();
  renderLogin();
}

function route() {
  if (cleanup) cleanup();
  cleanup = null;
  renderChrome();
  if (!session.user) return renderLogin();
  $("login-view").hidden = true;
  $("view").hidden = false;
  const [, name, ...params] = location.hash.split("/");
  const screen = SCREENS.find((s) => s.path === "#/" + name);
  const root = $("view");
  if (!screen) return fill(root, el("p", { class: "empty" }, t("notfound")));
  if (!screen.roles.includes(session.user.role)) return fill(root, el("p", { class: "error" }, t("error.forbidden")));
  // each render draws into its own box; one that finishes after the user moved on is
  // cleaned up at once and never touches the page
  const rendering = ++renders;
  const box = el("div", { class: "screen" });
  fill(root, box);
  Promise.resolve(screen.render(box, params))
    .then((done) => {
      const stop = typeof done === "function" ? done : null;
      if (rendering === renders) cleanup = stop;
      else if (stop) stop();
    })
    .catch((error) => {
      if (rendering === renders) fill(box, el("p", { class: "error", role: "alert" }, problem(error)));
    });
}

function toast(text, kind = "info") {
  const box = el("div", { class: "toast " + kind, role: "status" }, text);
  $("toasts").appendChild(box);
  setTimeout(() => box.remove(), 8000);
}

// notices for my role pop up wherever I am; the connection state shows in the header
on("notice", (event) => toast(event.title, "notice"));
on("connected", () => fill($("live"), "● " + t("live.on")).classList.remove("off"));
on("disconnected", () => fill($("live"), "○ " + t("live.off")).classList.add("off"));

$("logout").addEventListener("click", signOut);
$("lang").addEventListener("click", () => {
  setLang(lang() === "en" ? "zh" : "en");
  route();
});
window.addEventListener("hashchange", route);
whenExpired(signOut);
setLang(lang());
if (token()) signedIn().catch(signOut);
else signOut();
