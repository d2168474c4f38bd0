// `cargo xtask bench mobile`: how soon a citizen on a cheap phone sees a form and can use it —
// the citizen page and the embed, each against a static copy of its own rendered HTML (the
// floor: the same markup and stylesheet, no code), in Debian's chromium (headless) on
// Lighthouse's mobile profile: 4× CPU slowdown, 150 ms round trip, 1.6 Mbit/s down,
// 750 kbit/s up, 360 px wide, nothing cached. Against a running portal (EFORM_URL).
//
// Each page is served through a small proxy of this script in front of the portal (the static
// copies from the same proxy, so every variant takes the same path). Per run, in the page, a
// frame loop started before anything else records:
//   - inputs: the first frame with a form control on screen (laid out, styled);
//   - ready: the first frame where the form is the runtime's (typing is checked by
//     form-core): the citizen page once the runtime has taken the portal's page over, the
//     embed once its runtime has drawn the form (after taking over the one eform.js drew, if
//     any);
//   - fcp/lcp: the browser's first and largest contentful paint;
//   - bytes: everything transferred (encoded, as on the wire).
// Medians of --runs (5) runs; ratios against the static copy of the same page, in the same run.
// `--variants a,b` picks variants; `embed-bare` is the embed whose
// src gives no drawing (what the embed was before eform.js showed one), `embed-services` the
// embed naming a host service (the runtime built with the host's services, form-bind-services;
// `embed` has the one without them, form-bind); `embed-inline` the embed whose host page has
// the form's drawing in the element, as a host's server would put it there (`?as=shadow`, a
// declarative shadow root); `app-citizen` the citizen page of a demo citizen
// signed in (development mode: the session of `/dev/login`), so prefilled from the data store
// and with the drafts service, on the build with the services (`app` is a visitor's).
// `--json FILE` writes all.
// Then Lighthouse 12 (npm, this folder's package.json; its own default mobile profile with
// simulated throttling, in the same chromium) on the first form's citizen page, embed and their
// static copies, --runs times each: performance and accessibility scores, LCP (medians).
// `--no-lighthouse` skips it.
// `--h2`: the proxy speaks HTTPS and HTTP/2 (a certificate of its own, made by openssl for the
// run and accepted by the browser), as a production portal's load balancer does (TLS ends
// there); without it, plain HTTP/1.1, as the development portal serves. Over HTTP/1.1 each
// request the browser makes while another is under way opens a connection of its own.
import http from "node:http";
import http2 from "node:http2";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { launch } from "../../tests/e2e/browser.mjs";
import { PROFILE, phonePage } from "./profile.mjs";

const URL = process.env.EFORM_URL ?? "http://127.0.0.1:8080";
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const RUNS = Number(opt("--runs", 5));
const JSON_OUT = opt("--json", null);
const FORMS = opt("--forms", "ct01,pit-finalisation").split(",");
const VARIANTS = opt("--variants", "app,app-citizen,app-static,embed,embed-inline,embed-services,embed-bare,embed-static").split(",");
// The demo citizen `app-citizen` signs in as.
const CITIZEN = "citizen-an";
const LIGHTHOUSE = !args.includes("--no-lighthouse");
const H2 = args.includes("--h2");
// The browser takes the run's own certificate (the proxy's, over --h2).
const CHROMIUM_FLAGS = H2 ? ["--ignore-certificate-errors"] : [];


const upstream = new globalThis.URL(URL);
const statics = new Map(); // path → html

// Headers that belong to one HTTP/1.1 connection, which HTTP/2 forbids.
const HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"]);

/// The proxy: static copies and host pages of its own, the rest from the portal.
const handle = (req, res) => {
  const own = statics.get(req.url);
  if (own) {
    // Compressed as the portal's pages are.
    const gzip = /\bgzip\b/.test(req.headers["accept-encoding"] ?? "");
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", ...(gzip ? { "content-encoding": "gzip" } : {}) });
    res.end(gzip ? gzipSync(own, { level: 9 }) : own);
    return;
  }
  // The bare embed's src: no drawing for eform.js (as a src on a plain file server).
  if (req.url.includes("bare-embed=1") && req.url.includes("as=html")) {
    res.writeHead(404);
    res.end();
    return;
  }
  // HTTP/2's pseudo-headers (`:path`, …) are not HTTP/1.1 headers.
  const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !k.startsWith(":")));
  const proxied = http.request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...headers, host: upstream.host } }, (up) => {
    res.writeHead(up.statusCode, H2 ? Object.fromEntries(Object.entries(up.headers).filter(([k]) => !HOP.has(k))) : up.headers);
    up.pipe(res);
  });
  proxied.on("error", () => { res.writeHead(502); res.end(); });
  req.pipe(proxied);
};
let server;
if (H2) {
  const dir = mkdtempSync(join(tmpdir(), "eform-bench-"));
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")], { stdio: "ignore" });
  server = http2.createSecureServer({ key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")), allowHTTP1: true }, handle);
  rmSync(dir, { recursive: true });
} else {
  server = http.createServer(handle);
}
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const base = `${H2 ? "https" : "http"}://127.0.0.1:${server.address().port}`;

/// Runs in every page before its own scripts: a frame loop that notes the figures.
function probe() {
  const t = { inputs: null, ready: null, fcp: null, lcp: null };
  window.__bench = t;
  const roots = () => {
    const list = [document];
    for (const e of document.querySelectorAll("e-form")) if (e.shadowRoot) list.push(e.shadowRoot);
    return list;
  };
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden";
  };
  new PerformanceObserver((l) => { for (const e of l.getEntries()) if (e.name === "first-contentful-paint") t.fcp = e.startTime; }).observe({ type: "paint", buffered: true });
  new PerformanceObserver((l) => { const e = l.getEntries().at(-1); if (e) t.lcp = e.startTime; }).observe({ type: "largest-contentful-paint", buffered: true });
  const frame = (now) => {
    const controls = roots().flatMap((r) => [...r.querySelectorAll(".ef-form input.ef-input, .ef-form select, .ef-form textarea")]);
    if (t.inputs === null && controls.some(shown)) t.inputs = now;
    if (t.ready === null && t.inputs !== null) {
      const static_ = location.pathname.startsWith("/static/");
      const app = !document.querySelector("#ef-ssr[data-ef-takeover]") && document.querySelector("main .ef-form");
      const shadow = document.querySelector("e-form")?.shadowRoot;
      const embed = shadow?.querySelector(".ef-form") && !shadow.getElementById("ef-ssr");
      if (static_ || app || embed) t.ready = now;
    }
    if (t.ready === null) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

const median = (xs) => {
  const s = xs.filter((x) => x !== null).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const browser = await launch(CHROMIUM_FLAGS);

/// One page load on the profile: the figures. `user`: a demo citizen whose session the browser
/// holds (its cookie, from `/dev/login` asked outside the browser: the page's connection is
/// opened cold, as the static copy's is).
async function measure(url, user) {
  const { context, page, cdp } = await phonePage(browser, probe);
  if (user) {
    const signed = await fetch(`${URL}/dev/login?user=${encodeURIComponent(user)}&next=/`, { redirect: "manual" });
    const cookies = signed.headers.getSetCookie().map((c) => c.split(";")[0].split("="));
    if (signed.status !== 303 || cookies.length === 0) throw new Error(`signing in as ${user}: ${signed.status}`);
    await context.addCookies(cookies.map(([name, ...value]) => ({ name, value: value.join("="), url: base })));
  }
  let bytes = 0;
  cdp.on("Network.loadingFinished", (e) => { bytes += e.encodedDataLength; });
  await page.goto(url, { waitUntil: "commit" });
  await page.waitForFunction(() => window.__bench?.ready !== null, null, { timeout: 120000, polling: 100 });
  // Let the largest paint settle and the last responses finish.
  await page.waitForLoadState("load");
  await page.waitForTimeout(500);
  const t = await page.evaluate(() => ({ ...window.__bench, protocol: performance.getEntriesByType("navigation")[0]?.nextHopProtocol ?? null }));
  await context.close();
  return { ...t, bytes };
}

/// The markup a page shows once drawn (unthrottled): the citizen page's form as the app draws
/// it, or the embed's shadow root, as a static page with the same stylesheet.
async function staticCopy(url, embed) {
  const context = await browser.newContext({ viewport: { width: PROFILE.width, height: PROFILE.height } });
  const page = await context.newPage();
  await page.goto(url);
  let html;
  if (embed) {
    await page.waitForFunction(() => {
      const shadow = document.querySelector("e-form")?.shadowRoot;
      return shadow?.querySelector(".ef-form input") && !shadow.getElementById("ef-ssr");
    });
    const inner = await page.evaluate(() => document.querySelector("e-form").shadowRoot.innerHTML);
    html = `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>static</title></head><body><main>${inner}</main></body></html>`;
  } else {
    await page.waitForFunction(() => !document.querySelector("#ef-ssr[data-ef-takeover]") && document.querySelector("main .ef-form input"));
    const css = await page.evaluate(() => [...document.querySelectorAll("link[rel=stylesheet]")].map((l) => l.outerHTML).join(""));
    const body = await page.evaluate(() => document.body.innerHTML);
    html = `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>static</title>${css}</head><body>${body.replace(/<script[\s\S]*?<\/script>/g, "")}</body></html>`;
  }
  await context.close();
  return html;
}

const results = [];
for (const form of FORMS) {
  const host = `/host/${form}.html`;
  const hostPage = (src, more = "") => `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>host</title><script type="module" src="/eform/eform.js"></script></head><body><main><e-form src="${src}" lang="vi"${more}></e-form></main></body></html>`;
  statics.set(host, hostPage(`/forms/${form}`));
  statics.set(`/host/${form}-bare.html`, hostPage(`/forms/${form}?bare-embed=1`));
  // Naming a host service takes the runtime built with the services instead.
  statics.set(`/host/${form}-services.html`, hostPage(`/forms/${form}`, ` drafts="/api/v1/drafts"`));
  // The drawing in the element, asked for when the page is made (as a host's server would).
  const answer = await fetch(`${URL}/forms/${form}?as=shadow&lang=vi`);
  const drawing = await answer.text();
  // Only a drawing goes in a page (docs/embedding.md): anything else is this run's error.
  if (!answer.ok || !drawing.startsWith('<template shadowrootmode="open">')) throw new Error(`/forms/${form}?as=shadow: ${answer.status} ${drawing.slice(0, 200)}`);
  // Its script after the form (the form needs no script to show).
  const script = `<script type="module" src="/eform/eform.js"></script>`;
  statics.set(`/host/${form}-inline.html`, hostPage(`/forms/${form}`).replace(script, "").replace("></e-form>", `>${drawing}</e-form>${script}`));
  const urls = {
    app: `${base}/f/${form}`,
    "app-citizen": `${base}/f/${form}`,
    embed: `${base}${host}`,
    "embed-bare": `${base}/host/${form}-bare.html`,
    "embed-inline": `${base}/host/${form}-inline.html`,
    "embed-services": `${base}/host/${form}-services.html`,
  };
  if (VARIANTS.includes("app-static")) {
    statics.set(`/static/app-${form}.html`, await staticCopy(urls.app, false));
    urls["app-static"] = `${base}/static/app-${form}.html`;
  }
  if (VARIANTS.includes("embed-static")) {
    statics.set(`/static/embed-${form}.html`, await staticCopy(urls.embed, true));
    urls["embed-static"] = `${base}/static/embed-${form}.html`;
  }
  for (const variant of VARIANTS) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await measure(urls[variant], variant === "app-citizen" ? CITIZEN : null));
    const m = (k) => median(runs.map((r) => r[k]));
    const row = { form, variant, inputs: m("inputs"), ready: m("ready"), fcp: m("fcp"), lcp: m("lcp"), bytes: m("bytes"), runs };
    results.push(row);
    console.log(`${form} ${variant}: inputs ${row.inputs?.toFixed(0)} ms, ready ${row.ready?.toFixed(0)} ms, FCP ${row.fcp?.toFixed(0)} ms, LCP ${row.lcp?.toFixed(0)} ms, ${(row.bytes / 1024).toFixed(0)} KiB`);
  }
}
await browser.close();

/// Lighthouse on `url`, `RUNS` times: medians of its scores and LCP.
async function lighthouse(url) {
  const { default: run } = await import("lighthouse");
  const launcher = await import("chrome-launcher");
  const runs = [];
  const failed = [];
  for (let i = 0; i < RUNS; i++) {
    const chrome = await launcher.launch({
      chromePath: process.env.EFORM_CHROMIUM ?? "/usr/bin/chromium",
      chromeFlags: ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", ...CHROMIUM_FLAGS],
    });
    try {
      const { lhr } = await run(url, { port: chrome.port, output: "json", logLevel: "error", onlyCategories: ["performance", "accessibility"] });
      // A run Lighthouse could not finish (its score 0, no LCP) is reported, not counted.
      if (lhr.runtimeError) {
        console.log(`lighthouse ${url}: run ${i + 1} failed: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
        failed.push(lhr.runtimeError.code);
        continue;
      }
      runs.push({
        performance: lhr.categories.performance.score * 100,
        accessibility: lhr.categories.accessibility.score * 100,
        lcp: lhr.audits["largest-contentful-paint"].numericValue,
        fcp: lhr.audits["first-contentful-paint"].numericValue,
        tti: lhr.audits.interactive?.numericValue ?? null,
        version: lhr.lighthouseVersion,
      });
    } finally {
      await chrome.kill();
    }
  }
  const m = (k) => median(runs.map((r) => r[k]));
  return { performance: m("performance"), accessibility: m("accessibility"), lcp: m("lcp"), fcp: m("fcp"), tti: m("tti"), version: runs[0]?.version, runs, failed };
}

const lh = [];
if (LIGHTHOUSE) {
  const form = FORMS[0];
  const pages = {
    app: `${base}/f/${form}`,
    "app-static": `${base}/static/app-${form}.html`,
    embed: `${base}/host/${form}.html`,
    "embed-inline": `${base}/host/${form}-inline.html`,
    "embed-static": `${base}/static/embed-${form}.html`,
  };
  for (const [variant, url] of Object.entries(pages)) {
    if (!statics.has(new globalThis.URL(url).pathname) && variant.endsWith("static")) continue;
    const r = { form, variant, ...(await lighthouse(url)) };
    lh.push(r);
    console.log(`lighthouse ${r.version} ${form} ${variant}: performance ${r.performance}, accessibility ${r.accessibility}, FCP ${r.fcp?.toFixed(0)} ms, LCP ${r.lcp?.toFixed(0)} ms, TTI ${r.tti?.toFixed(0)} ms`);
  }
}
server.closeAllConnections?.();
server.close();

// The table: each variant against the static copy of its own page.
const fmt = (x) => (x === null || x === undefined ? "—" : Math.round(x).toLocaleString("en"));
console.log("\n| form | page | inputs on screen (ms) | vs static | app ready (ms) | vs static | LCP (ms) | transferred (KiB) |");
console.log("|---|---|---|---|---|---|---|---|");
for (const r of results) {
  const floor = results.find((s) => s.form === r.form && s.variant === (r.variant.startsWith("embed") ? "embed-static" : "app-static"));
  const ratio = (k) => (floor && r[k] && floor[k] ? `${(r[k] / floor[k]).toFixed(2)}×` : "—");
  console.log(`| ${r.form} | ${r.variant} | ${fmt(r.inputs)} | ${ratio("inputs")} | ${fmt(r.ready)} | ${ratio("ready")} | ${fmt(r.lcp)} | ${fmt(r.bytes / 1024)} |`);
}
if (lh.length) {
  console.log("\n| Lighthouse (mobile, simulated) | performance | accessibility | FCP (ms) | LCP (ms) | LCP vs static | TTI (ms) |");
  console.log("|---|---|---|---|---|---|---|");
  for (const r of lh) {
    const floor = lh.find((s) => s.variant === (r.variant.startsWith("embed") ? "embed-static" : "app-static"));
    const ratio = floor && r.lcp && floor.lcp ? `${(r.lcp / floor.lcp).toFixed(2)}×` : "—";
    const failed = r.failed.length ? ` (${r.runs.length} runs; ${r.failed.length} failed: ${r.failed.join(", ")})` : "";
    console.log(`| ${r.form} ${r.variant}${failed} | ${fmt(r.performance)} | ${fmt(r.accessibility)} | ${fmt(r.fcp)} | ${fmt(r.lcp)} | ${ratio} | ${fmt(r.tti)} |`);
  }
}
if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ date: new Date().toISOString(), profile: PROFILE, transport: H2 ? "h2 (TLS)" : "http/1.1", runs: RUNS, results, lighthouse: lh }, null, 2));
