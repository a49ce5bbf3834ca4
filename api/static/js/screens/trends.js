// 趋势: volume by sentiment over time, volume by source, the top negative terms and the SLA
// clocks met or breached, drawn with Plotly (served by this server from the installed
// plotly package, loaded on first use: no CDN). Filters: brand and time range.

import { addMessages, api, clock, el, fill, on, problem, t } from "../core.js";

addMessages({
  zh: {
    "trends.title": "趋势", "trends.brand": "品牌", "trends.brand.all": "全部品牌", "trends.range": "时间范围",
    "trends.range.1": "24 小时", "trends.range.7": "7 天", "trends.range.30": "30 天",
    "trends.sentiment": "各情感声量走势", "trends.sources": "各信源声量", "trends.terms": "负面高频词",
    "trends.sla": "SLA 达成与超时", "trends.posts": "帖子数", "trends.time": "时间", "trends.count": "次数",
    "trends.terms.basis": "基于 {n} 条负面帖子", "trends.sla.note": "SLA 统计不区分品牌",
    "trends.nodata": "暂无数据", "trends.loading": "正在加载图表库…", "trends.noplotly": "图表库加载失败：{detail}",
  },
  en: {
    "trends.title": "Trends", "trends.brand": "Brand", "trends.brand.all": "All brands", "trends.range": "Range",
    "trends.range.1": "24 h", "trends.range.7": "7 days", "trends.range.30": "30 days",
    "trends.sentiment": "Volume by sentiment", "trends.sources": "Volume by source", "trends.terms": "Top negative terms",
    "trends.sla": "SLA met and breached", "trends.posts": "Posts", "trends.time": "Time", "trends.count": "Count",
    "trends.terms.basis": "From {n} negative posts", "trends.sla.note": "SLA counts are for all brands",
    "trends.nodata": "No data", "trends.loading": "Loading the charting library…", "trends.noplotly": "The charting library failed to load: {detail}",
  },
});

const PLOTLY_SRC = "/vendor/plotly.min.js";
const RANGES = [1, 7, 30]; // days
const SENTIMENTS = [["negative", "#d92d20"], ["neutral", "#98a2b3"], ["positive", "#12b76a"]];
const CLOCKS = ["response", "statement", "director_report"];
const SLA_BARS = [["met", "#12b76a"], ["breached", "#d92d20"], ["pending", "#98a2b3"]];
const filters = { brand: "", days: 7 }; // kept while the console is open

let plotly = null;
/** Plotly, loaded once by a <script> from this server. */
function loadPlotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!plotly) {
    plotly = new Promise((resolve, reject) => {
      const script = el("script", { src: PLOTLY_SRC });
      script.addEventListener("load", () => resolve(window.Plotly));
      script.addEventListener("error", () => {
        plotly = null;
        script.remove();
        reject(new Error(PLOTLY_SRC));
      });
      document.head.appendChild(script);
    });
  }
  return plotly;
}

// -- the data ------------------------------------------------------------------------------

function query(extra = {}) {
  const params = new URLSearchParams({ days: filters.days, ...extra });
  if (filters.brand) params.set("brand", filters.brand);
  return params.toString();
}

/** "2026-11-28T09:00:00+08:00" as Plotly wants it: Shanghai wall time, no offset. */
const wallTime = (iso) => iso.slice(0, 19).replace("T", " ");
const HOUR = 3600000;
const shanghai = (ms) => wallTime(new Date(ms + 8 * HOUR).toISOString());
const since = () => clock.now() - filters.days * 24 * HOUR;
const bucketSize = () => (filters.days > 1 ? 24 * HOUR : HOUR);
/** The start of the Shanghai hour or day that ms falls in. */
const floorTo = (ms, size) => Math.floor((ms + 8 * HOUR) / size) * size - 8 * HOUR;
/** The time axis: whole buckets from the range's first to the current one. */
const timeRange = () => [floorTo(since(), bucketSize()), floorTo(clock.now(), bucketSize()) + bucketSize()].map(shanghai);

async function sentimentTraces() {
  const bucket = bucketSize() === HOUR ? "hour" : "day";
  const params = new URLSearchParams({ bucket, since: new Date(since()).toISOString() });
  if (filters.brand) params.set("brand", filters.brand);
  const { items } = await api("/api/posts/trend?" + params);
  return SENTIMENTS.map(([s, color]) => {
    const points = items.filter((p) => p.sentiment === s);
    const x = points.map((p) => wallTime(p.start));
    const size = bucketSize();
    const period = { xperiod: size, xperiodalignment: "middle", width: size * 0.8 };
    return { type: "bar", name: t("sentiment." + s), marker: { color }, x, y: points.map((p) => p.count), ...period };
  });
}

async function sourceTraces() {
  const { items } = await api("/api/stats/sources?" + query());
  const x = items.map((i) => i.source);
  return SENTIMENTS.map(([s, color]) => ({
    type: "bar", name: t("sentiment." + s), marker: { color }, x, y: items.map((i) => i[s]),
  }));
}

async function termTraces() {
  const { items, posts } = await api("/api/stats/terms?" + query({ limit: 15 }));
  const top = [...items].reverse(); // the most frequent at the top
  const bar = { type: "bar", orientation: "h", marker: { color: "#d92d20" }, name: t("trends.count") };
  return {
    traces: [{ ...bar, x: top.map((i) => i.count), y: top.map((i) => i.term) }],
    note: t("trends.terms.basis", { n: posts }),
  };
}

async function slaTraces() {
  const { items } = await api("/api/stats/sla?" + new URLSearchParams({ days: filters.days }));
  const clocks = CLOCKS.filter((k) => items.some((i) => i.clock === k));
  const row = (k) => items.find((i) => i.clock === k) || {};
  const x = clocks.map((k) => t("clock." + k));
  return SLA_BARS.map(([status, color]) => ({
    type: "bar", name: t("sla." + status), marker: { color }, x, y: clocks.map((k) => row(k)[status] || 0),
  }));
}

// -- the charts ------------------------------------------------------------------------------

const values = (traces) => traces.flatMap((tr) => (tr.orientation === "h" ? tr.x : tr.y));
const hasData = (traces) => values(traces).some((v) => v > 0);

/** The tallest bar (a stack's sum when stacked). */
function peak(traces, stacked) {
  if (!stacked) return Math.max(0, ...values(traces));
  const sums = new Map();
  for (const tr of traces) tr.x.forEach((x, i) => sums.set(x, (sums.get(x) || 0) + tr.y[i]));
  return Math.max(0, ...sums.values());
}

/** Counts are whole numbers: small ones get a tick per unit, not 0.2 steps. */
function wholeTicks(traces, extra) {
  const horizontal = traces.some((tr) => tr.orientation === "h");
  const name = horizontal ? "xaxis" : "yaxis";
  const dtick = peak(traces, extra.barmode === "stack") <= 8 ? 1 : undefined;
  return { ...extra, [name]: { ...extra[name], tickformat: "d", ...(dtick ? { dtick } : {}) } };
}

function layout(extra) {
  return {
    margin: { l: 60, r: 20, t: 10, b: 50 },
    height: 320,
    font: { family: "PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif", size: 12 },
    legend: { orientation: "h", y: -0.2, traceorder: "normal" },
    ...extra,
  };
}

function draw(Plotly, node, traces, extra) {
  const nodata = { text: t("trends.nodata"), showarrow: false, xref: "paper", yref: "paper", x: 0.5, y: 0.5,
    font: { size: 16, color: "#9aa5b1" } };
  const annotations = hasData(traces) ? [] : [nodata];
  const config = { displayModeBar: false, responsive: true };
  return Plotly.react(node, traces, layout({ annotations, ...wholeTicks(traces, extra) }), config);
}

const axis = (title) => ({ title: { text: t(title) }, rangemode: "tozero" });

const CHARTS = [
  {
    id: "chart-sentiment", title: "trends.sentiment",
    async plot(Plotly, node) {
      const xaxis = {
        type: "date", tickformat: filters.days > 1 ? "%m-%d" : "%H:%M", range: timeRange(),
      };
      await draw(Plotly, node, await sentimentTraces(), { barmode: "stack", xaxis, yaxis: axis("trends.posts") });
    },
  },
  {
    id: "chart-sources", title: "trends.sources",
    async plot(Plotly, node) {
      const xaxis = { type: "category" };
      await draw(Plotly, node, await sourceTraces(), { barmode: "stack", xaxis, yaxis: axis("trends.posts") });
    },
  },
  {
    id: "chart-terms", title: "trends.terms",
    async plot(Plotly, node, note) {
      const { traces, note: basis } = await termTraces();
      fill(note, basis);
      const yaxis = { type: "category", automargin: true };
      await draw(Plotly, node, traces, { showlegend: false, yaxis, xaxis: axis("trends.count") });
    },
  },
  {
    id: "chart-sla", title: "trends.sla",
    async plot(Plotly, node, note) {
      fill(note, t("trends.sla.note"));
      const xaxis = { type: "category" };
      await draw(Plotly, node, await slaTraces(), { barmode: "group", xaxis, yaxis: axis("trends.count") });
    },
  },
];

function chartCard(chart) {
  const node = el("div", { id: chart.id, class: "chart" });
  const note = el("p", { class: "chart-note" });
  return { chart, node, note, box: el("section", { class: "card chart-card" }, el("h3", {}, t(chart.title)), note, node) };
}

// -- the filters ------------------------------------------------------------------------------

/** The configured brands, for the filter (every role may read their names). */
async function brandNames() {
  return api("/api/brands");
}

function toolbar(brands, redraw) {
  const brand = el("select", { id: "trends-brand", "aria-label": t("trends.brand") },
    el("option", { value: "" }, t("trends.brand.all")),
    brands.map((b) => el("option", { value: b, selected: b === filters.brand }, b)));
  brand.addEventListener("change", () => {
    filters.brand = brand.value;
    redraw();
  });
  const range = el("div", { class: "segmented", role: "group", "aria-label": t("trends.range") },
    RANGES.map((days) => el("button", {
      type: "button", "aria-pressed": String(days === filters.days), dataset: { days },
      onclick: (event) => {
        filters.days = days;
        range.querySelectorAll("button").forEach((b) => b.setAttribute("aria-pressed", String(b === event.target)));
        redraw();
      },
    }, t("trends.range." + days))));
  return el("div", { class: "toolbar" },
    el("label", {}, t("trends.brand"), " ", brand), el("span", {}, t("trends.range")), range);
}

export default {
  path: "#/trends",
  nav: true,
  roles: ["brand", "brand_lead", "director", "admin"],
  title: () => t("trends.title"),
  async render(root) {
    const status = el("p", { class: "status", role: "status" }, t("trends.loading"));
    const cards = CHARTS.map(chartCard);
    const bar = el("div", { class: "toolbar" });
    const view = el("section", { id: "trends-view" },
      el("h2", {}, t("trends.title")), bar, status, el("div", { class: "charts" }, cards.map((c) => c.box)));
    fill(root, view);
    const [Plotly, brands] = await Promise.all([
      loadPlotly().catch((e) => Promise.reject(new Error(t("trends.noplotly", { detail: e.message })))),
      brandNames(),
    ]);
    const redraw = async () => {
      fill(status);
      for (const { chart, node, note } of cards) {
        if (!view.isConnected) return;
        await chart.plot(Plotly, node, note).catch((e) => fill(status, problem(e)));
      }
    };
    bar.replaceWith(toolbar(brands, redraw));
    await redraw();
    // new posts move the numbers: redraw at most every 10 s while they arrive
    let pending = null;
    const later = () => {
      if (!view.isConnected) return stop();
      pending ||= setTimeout(() => {
        pending = null;
        redraw();
      }, 10000);
    };
    const offs = [on("post", later), on("incident", later)];
    // a screen left before its first load finished may miss its cleanup: it stops itself once off the page
    const stop = () => {
      clearTimeout(pending);
      offs.forEach((off) => off());
      cards.forEach(({ node }) => Plotly.purge(node));
    };
    return stop;
  },
};
