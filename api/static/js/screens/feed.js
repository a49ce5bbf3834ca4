// 实时舆情: the latest posts (negative by default), new ones arriving live, filters and
// full-text search, and "mark as wrongly classified" (kept as feedback for retraining).
//
// Every piece of a post (text, title, author, url) is crawled and untrusted: it reaches
// the page through el()/highlight() text nodes only, and a link only for http(s) URLs.

import { addMessages, api, clock, el, fill, fmtTime, highlight, on, problem, t } from "../core.js";

addMessages({
  zh: {
    "feed.title": "实时舆情", "feed.count": "共 {n} 条", "feed.empty": "没有符合条件的帖子",
    "feed.new": "新", "feed.live": "新帖实时推送，不用刷新",
    "feed.filter.brand": "品牌", "feed.filter.source": "来源", "feed.filter.sentiment": "情感",
    "feed.filter.range": "时间", "feed.filter.q": "搜索", "feed.filter.q.hint": "全文搜索，如：漏电 投诉",
    "feed.filter.apply": "搜索", "feed.filter.reset": "清空",
    "feed.any.brand": "全部品牌", "feed.any.source": "全部来源", "feed.any.sentiment": "全部情感",
    "feed.range.1h": "最近 1 小时", "feed.range.24h": "最近 24 小时", "feed.range.7d": "最近 7 天",
    "feed.range.30d": "最近 30 天", "feed.range.all": "全部时间",
    "feed.followers": "粉丝 {n}", "feed.reposts": "转发 {n}", "feed.comments": "评论 {n}", "feed.likes": "点赞 {n}",
    "feed.risk": "风险 {score}", "feed.suggest": "建议级别：{severity}", "feed.score": "负面概率 {score}",
    "feed.evidence": "依据：", "feed.brands": "品牌：", "feed.event": "事件 {id}", "feed.duplicate": "转载自 {key}",
    "feed.original": "查看原文", "feed.nolink": "原文链接无效",
    "feed.wrong": "标记误判", "feed.wrong.ask": "这条帖子被判为「{now}」。实际应为：",
    "feed.wrong.note": "备注（可选）", "feed.wrong.confirm": "确认误判",
    "feed.wrong.done": "已记录：实为「{label}」，将用于模型再训练",
    "feed.more": "加载更多",
  },
  en: {
    "feed.title": "Live feed", "feed.count": "{n} posts", "feed.empty": "No posts match",
    "feed.new": "new", "feed.live": "New posts arrive live, no reload needed",
    "feed.filter.brand": "Brand", "feed.filter.source": "Source", "feed.filter.sentiment": "Sentiment",
    "feed.filter.range": "Time", "feed.filter.q": "Search", "feed.filter.q.hint": "Full text, e.g. 漏电 投诉",
    "feed.filter.apply": "Search", "feed.filter.reset": "Clear",
    "feed.any.brand": "All brands", "feed.any.source": "All sources", "feed.any.sentiment": "Any sentiment",
    "feed.range.1h": "Last hour", "feed.range.24h": "Last 24 hours", "feed.range.7d": "Last 7 days",
    "feed.range.30d": "Last 30 days", "feed.range.all": "Any time",
    "feed.followers": "{n} followers", "feed.reposts": "{n} reposts", "feed.comments": "{n} comments", "feed.likes": "{n} likes",
    "feed.risk": "Risk {score}", "feed.suggest": "Suggested: {severity}", "feed.score": "Negative {score}",
    "feed.evidence": "Evidence: ", "feed.brands": "Brands: ", "feed.event": "Event {id}", "feed.duplicate": "Copy of {key}",
    "feed.original": "Original", "feed.nolink": "No valid link",
    "feed.wrong": "Wrongly classified", "feed.wrong.ask": "Classified as “{now}”. It really is:",
    "feed.wrong.note": "Note (optional)", "feed.wrong.confirm": "Confirm",
    "feed.wrong.done": "Recorded as “{label}”; it will be used for retraining",
    "feed.more": "Load more",
  },
});

const SENTIMENTS = ["negative", "neutral", "positive"];
const RANGES = { "1h": 3600e3, "24h": 86400e3, "7d": 7 * 86400e3, "30d": 30 * 86400e3, all: null };
const PAGE = 50;

// -- one post --------------------------------------------------------------------------------

/** The URL if it is a plain http(s) link, else null (no javascript:, data:, …). */
export function safeUrl(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

function count(n) {
  return n === null || n === undefined ? "—" : Number(n).toLocaleString("zh-CN");
}

/** Where it came from, who wrote it and how far it reaches. */
function meta(post) {
  return el(
    "div", { class: "post-meta" },
    el("span", { class: "post-source" }, post.source),
    el("span", { class: "post-author" }, post.author || "—"),
    el("span", { class: "reach" },
      el("span", { dataset: { reach: "followers" } }, t("feed.followers", { n: count(post.author_followers) })),
      el("span", { dataset: { reach: "reposts" } }, t("feed.reposts", { n: count(post.reposts) })),
      el("span", { dataset: { reach: "comments" } }, t("feed.comments", { n: count(post.comments) })),
      el("span", { dataset: { reach: "likes" } }, t("feed.likes", { n: count(post.likes) }))),
    el("time", { datetime: post.published_at || post.fetched_at }, fmtTime(post.published_at || post.fetched_at)),
  );
}

/** What the NLP found: sentiment and score, risk and the suggested severity, the evidence. */
function verdict(post) {
  const a = post.analysis || {};
  const score = a.negative_score === null || a.negative_score === undefined ? "—" : a.negative_score.toFixed(2);
  return el(
    "div", { class: "post-verdict" },
    a.sentiment && el("span", { class: "sentiment sentiment-" + a.sentiment }, t("sentiment." + a.sentiment)),
    el("span", { class: "score" }, t("feed.score", { score })),
    a.risk_score !== null && a.risk_score !== undefined &&
      el("span", { class: "risk" }, t("feed.risk", { score: Math.round(a.risk_score) })),
    a.severity && el("span", { class: "suggest sev-" + a.severity }, t("feed.suggest", { severity: t("severity." + a.severity) })),
    a.brands?.length ? el("span", { class: "brands" }, t("feed.brands"), a.brands.join("、")) : null,
    a.event_id && el("span", { class: "event" }, t("feed.event", { id: a.event_id })),
    a.duplicate_of && el("span", { class: "duplicate" }, t("feed.duplicate", { key: a.duplicate_of })),
  );
}

/** The title and text with the evidence words marked (<mark>), as text nodes only. */
function body(post) {
  const evidence = post.analysis?.evidence || [];
  return el(
    "div", { class: "post-body" },
    post.title && el("h3", { class: "post-title" }, highlight(post.title, evidence)),
    el("p", { class: "post-text" }, highlight(post.text, evidence)),
    evidence.length ? el("p", { class: "post-evidence" }, t("feed.evidence"), evidence.join("、")) : null,
    post.analysis?.risk_reasons?.length ? el("p", { class: "post-reasons" }, post.analysis.risk_reasons.join("；")) : null,
  );
}

function originalLink(post) {
  const href = safeUrl(post.url);
  if (!href) return el("span", { class: "nolink" }, t("feed.nolink"));
  return el("a", { class: "original", href, target: "_blank", rel: "noopener noreferrer" }, t("feed.original"));
}

/** The "mark as wrongly classified" button and its confirmation, on the card itself. */
function feedbackControl(post) {
  const box = el("div", { class: "feedback" });
  const now = post.analysis?.sentiment || "neutral";
  const ask = () => {
    const label = el("select", { "aria-label": t("feed.wrong.ask", { now: t("sentiment." + now) }) },
      SENTIMENTS.filter((s) => s !== now).map((s) => el("option", { value: s }, t("sentiment." + s))));
    const note = el("input", { type: "text", placeholder: t("feed.wrong.note"), "aria-label": t("feed.wrong.note"), maxlength: 500 });
    const status = el("span", { class: "status", role: "status" });
    const confirm = async (event) => {
      event.preventDefault();
      try {
        await api(`/api/posts/${encodeURIComponent(post.key)}/feedback`, {
          method: "POST", body: { label: label.value, note: note.value.trim() || null },
        });
        fill(box, el("span", { class: "feedback-done" }, t("feed.wrong.done", { label: t("sentiment." + label.value) })));
      } catch (error) {
        fill(status, problem(error));
      }
    };
    fill(box, el("form", { class: "feedback-form", onsubmit: confirm },
      el("span", {}, t("feed.wrong.ask", { now: t("sentiment." + now) })), " ", label, " ", note, " ",
      el("button", { type: "submit", class: "primary" }, t("feed.wrong.confirm")), " ",
      el("button", { type: "button", onclick: () => fill(box, button()) }, t("cancel")),
      status));
  };
  const button = () => el("button", { type: "button", class: "wrong", onclick: ask }, t("feed.wrong"));
  return fill(box, button());
}

/**
 * A post as a card; { feedback: false } leaves out the feedback control (read-only places).
 * Shared with the incident page.
 */
export function postCard(post, { feedback = true, fresh = false } = {}) {
  const sev = post.analysis?.severity;
  return el(
    "article", { class: "post card" + (fresh ? " fresh" : "") + (sev ? " post-sev-" + sev : ""), dataset: { key: post.key } },
    el("header", {}, meta(post), fresh && el("span", { class: "badge-new" }, t("feed.new"))),
    verdict(post),
    body(post),
    el("footer", {}, originalLink(post), feedback && feedbackControl(post)),
  );
}

// -- filters -----------------------------------------------------------------------------------

/** The filters as the form holds them now. */
function readFilters(form) {
  const data = new FormData(form);
  return {
    brand: data.get("brand") || "", source: data.get("source") || "", sentiment: data.get("sentiment") || "",
    range: data.get("range") || "all", q: (data.get("q") || "").trim(),
  };
}

/** The API query for these filters (since is relative to the server's now). */
function query(filters, extra = {}) {
  const params = new URLSearchParams();
  for (const name of ["brand", "source", "sentiment", "q"]) if (filters[name]) params.set(name, filters[name]);
  const window = RANGES[filters.range];
  if (window) params.set("since", new Date(clock.now() - window).toISOString());
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  return params.toString();
}

/** Whether a live post passes the filters that can be checked here (all but the search words). */
function passes(post, filters) {
  const a = post.analysis || {};
  if (filters.brand && !(a.brands || []).includes(filters.brand)) return false;
  if (filters.source && post.source !== filters.source) return false;
  if (filters.sentiment && a.sentiment !== filters.sentiment) return false;
  const window = RANGES[filters.range];
  const when = new Date(post.published_at || post.fetched_at).getTime();
  return !(window && when < clock.now() - window);
}

/**
 * The search words are matched by the server (jieba words): ask it about this one post,
 * among the posts of its second (the store keeps times to the second).
 */
async function matchesSearch(post, filters) {
  if (!filters.q) return true;
  const second = Math.floor(new Date(post.published_at || post.fetched_at).getTime() / 1000) * 1000;
  const page = await api("/api/posts?" + query({ ...filters, range: "all" }, {
    since: new Date(second).toISOString(), until: new Date(second + 1000).toISOString(), limit: 500,
  }));
  return page.items.some((p) => p.key === post.key);
}

function select(name, label, anyLabel, options, value) {
  return el("label", {}, label, " ",
    el("select", { name },
      anyLabel !== null && el("option", { value: "" }, anyLabel),
      options.map(([v, text]) => el("option", { value: v, selected: v === value }, text))));
}

/** The configured brands to offer (every role may read their names). */
async function knownBrands() {
  try {
    return await api("/api/brands");
  } catch {
    return [];
  }
}

async function knownSources() {
  try {
    return (await api("/api/sources")).items.map((s) => s.source);
  } catch {
    return [];
  }
}

function filterForm(brands, sources, filters, onChange) {
  const form = el(
    "form", { id: "feed-filters", class: "toolbar", role: "search" },
    select("brand", t("feed.filter.brand"), t("feed.any.brand"), brands.map((b) => [b, b]), filters.brand),
    select("source", t("feed.filter.source"), t("feed.any.source"), sources.map((s) => [s, s]), filters.source),
    select("sentiment", t("feed.filter.sentiment"), t("feed.any.sentiment"),
      SENTIMENTS.map((s) => [s, t("sentiment." + s)]), filters.sentiment),
    select("range", t("feed.filter.range"), null,
      Object.keys(RANGES).map((r) => [r, t("feed.range." + r)]), filters.range),
    el("label", {}, t("feed.filter.q"), " ",
      el("input", { type: "search", name: "q", value: filters.q, placeholder: t("feed.filter.q.hint"), maxlength: 200 })),
    el("button", { type: "submit", class: "primary" }, t("feed.filter.apply")),
    el("button", { type: "reset" }, t("feed.filter.reset")),
  );
  form.addEventListener("change", (event) => event.target.name !== "q" && onChange());
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    onChange();
  });
  form.addEventListener("reset", (event) => {
    event.preventDefault(); // back to the defaults, not to the values the form was drawn with
    form.elements.brand.value = form.elements.source.value = form.elements.q.value = "";
    form.elements.sentiment.value = "negative";
    form.elements.range.value = "all";
    onChange();
  });
  return form;
}

// -- the screen ----------------------------------------------------------------------------------

// the filters outlive a visit to another screen
let remembered = { brand: "", source: "", sentiment: "negative", range: "all", q: "" };

export default {
  path: "#/feed",
  nav: true,
  roles: ["brand", "brand_lead", "director", "admin"],
  title: () => t("feed.title"),
  async render(root) {
    const list = el("div", { id: "feed-posts", "aria-live": "polite" });
    const total = el("small", { id: "feed-count" });
    const status = el("p", { class: "status", role: "status" });
    const empty = el("p", { id: "feed-empty", class: "empty", hidden: true }, t("feed.empty"));
    const more = el("button", { type: "button", id: "feed-more", hidden: true }, t("feed.more"));
    const [brands, sources] = await Promise.all([knownBrands(), knownSources()]);

    let filters = { ...remembered };
    let shown = new Set(); // keys on the page
    let counted = 0;
    let generation = 0; // a newer load makes older answers stale

    const setCount = () => {
      fill(total, t("feed.count", { n: counted }));
      empty.hidden = shown.size > 0;
    };

    const load = async (append = false) => {
      const mine = ++generation;
      const page = await api("/api/posts?" + query(filters, { limit: PAGE, offset: append ? shown.size : 0 }));
      if (mine !== generation) return;
      if (!append) {
        shown = new Set();
        fill(list);
      }
      for (const post of page.items) {
        if (shown.has(post.key)) continue;
        shown.add(post.key);
        addSeen(post);
        list.appendChild(postCard(post));
      }
      counted = page.total;
      more.hidden = shown.size >= page.total;
      setCount();
    };

    const form = filterForm(brands, sources, filters, () => {
      filters = remembered = readFilters(form);
      load().catch((error) => fill(status, problem(error)));
    });
    // brands and sources seen in posts join the filters (the brand team may not read the
    // settings, and a source crawled once may since have left them)
    const addOption = (select, value) => {
      if (value && ![...select.options].some((o) => o.value === value)) select.appendChild(el("option", { value }, value));
    };
    const addSeen = (post) => {
      for (const name of post.analysis?.brands || []) addOption(form.elements.brand, name);
      addOption(form.elements.source, post.source);
    };
    more.addEventListener("click", () => load(true).catch((error) => fill(status, problem(error))));

    fill(root, el("section", { id: "feed-view" },
      el("h2", {}, t("feed.title"), " ", total), el("p", { class: "hint" }, t("feed.live")),
      form, status, list, empty, more));
    await load();

    // a new post arrives: on top, if it passes the filters in force when it is checked
    const arrived = async (event) => {
      const post = event.post;
      addSeen(post);
      const asked = filters;
      if (shown.has(post.key) || !passes(post, asked) || !(await matchesSearch(post, asked))) return;
      if (asked !== filters || shown.has(post.key)) return; // the filters changed meanwhile
      shown.add(post.key);
      counted += 1;
      list.prepend(postCard(post, { fresh: true }));
      setCount();
    };
    const off = on("post", (event) => arrived(event).catch(() => {}));
    return () => {
      generation += 1;
      off();
    };
  },
};
