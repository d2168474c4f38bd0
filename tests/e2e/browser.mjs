// Shared set-up of the browser tests: Debian's chromium driven by playwright-core (no browser
// download), the portal's URL from `cargo xtask test`, axe-core, and where screenshots go.
import { chromium } from "playwright-core";
import http from "node:http";
import { createRequire } from "node:module";
import { readFileSync, mkdirSync } from "node:fs";
import path from "node:path";

export const URL = process.env.EFORM_URL ?? "http://127.0.0.1:8080";
export const OUTPUT = process.env.EFORM_OUTPUT ?? path.resolve("tests/e2e/output");
mkdirSync(OUTPUT, { recursive: true });

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export async function launch(more = []) {
  return chromium.launch({
    executablePath: process.env.EFORM_CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      ...more,
    ],
  });
}

/// A new page that records console errors and CSP violations, failing on none silently
/// (`javaScript: false`: a browser with JavaScript turned off).
export async function openPage(browser, { width = 1280, height = 900, javaScript = true } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, javaScriptEnabled: javaScript });
  const page = await context.newPage();
  page.problems = [];
  page.console = []; // every console message, of any level
  page.on("console", (m) => {
    page.console.push(m.text());
    if (m.type() === "error") page.problems.push(m.text());
  });
  page.on("pageerror", (e) => page.problems.push(String(e)));
  if (javaScript) {
    // A form page shows the form the portal drew until the app takes it over: a test acts on
    // the app's form, so navigations wait for that (`takeover: false` to act before it).
    for (const verb of ["goto", "reload"]) {
      const original = page[verb].bind(page);
      page[verb] = async (...args) => {
        const at = verb === "goto" ? 1 : 0;
        const { takeover = true, ...options } = args[at] ?? {};
        args[at] = options;
        const res = await original(...args);
        if (takeover) await tookOver(page);
        return res;
      };
    }
  }
  // The signing transaction the page started last (approveOnThePhone approves that one, not an
  // older one still waiting).
  page.on("response", async (r) => {
    if (r.request().method() === "POST" && r.url().endsWith("/bridge/v1/signatures/signHash") && r.status() === 202) {
      try { page.lastTx = (await r.json()).transactionID; } catch { /* the page moved on */ }
    }
  });
  return page;
}

export function shot(name) {
  return path.join(OUTPUT, `${name}.png`);
}

/// Runs axe-core (WCAG 2.0/2.1/2.2 A and AA) on the page; returns the violations.
export async function axe(page, context) {
  // Evaluated as a string so that the page's CSP (no inline script) does not apply.
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate((ctx) =>
    window.axe.run(ctx ?? document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"] } }), context);
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

/// Holds back the page's WebAssembly (the app's, the embed's) until the returned function is
/// called: what a citizen on a slow line sees before the code arrives.
export async function holdWasm(page) {
  let release;
  const gate = new Promise((r) => { release = r; });
  await page.unroute("**/*_bg.wasm");
  await page.route("**/*_bg.wasm", async (route) => { await gate; await route.continue(); });
  return release;
}

/// Waits until the app has taken over the form the portal drew (at once where there is none).
export async function tookOver(page, timeout = 30000) {
  await page.locator("#ef-ssr[data-ef-takeover]").waitFor({ state: "detached", timeout });
}

/// Signs the page's browser context in as a demo user (development mode) and opens `next`.
export async function signIn(page, user, next = "/") {
  const res = await page.goto(`${URL}/dev/login?user=${user}&next=${encodeURIComponent(next)}`);
  if (!res.ok()) throw new Error(`signing in as ${user}: ${res.status()}`);
}

/// A bearer token for a demo user, for API calls from the tests.
export async function token(user) {
  const res = await fetch(`${URL}/dev/session`, { method: "POST", body: JSON.stringify({ user }) });
  if (res.status !== 201) throw new Error(`token for ${user}: ${res.status}`);
  return (await res.json()).token;
}

/** Approves (or rejects) the newest waiting request at the development signer, as the
 *  citizen's phone would: its page read (it must name the form, `names`) and its form posted
 *  through the browser context's session (`page.request`), not a second tab — a second page
 *  opened and closed in the same context stalled headless chromium now and then, every page
 *  idle. Then the keep-my-data dialog, if it opens, is declined by `skipKeepDialog`. */
export async function approveOnThePhone(page, decision, names) {
  // "Waiting for approval" shows as the request leaves: wait for the page's new transaction.
  for (let i = 0; i < 150 && (!page.lastTx || page.lastTx === page.decidedTx); i++) await page.waitForTimeout(100);
  const html = await (await page.request.get(`${URL}/dev/signer`)).text();
  if (!names.test(html)) throw new Error(`the signing request does not name the form (${names})`);
  const actions = [...html.matchAll(/action="(\/dev\/signer\/[^"]+)\/approve"/g)].map((m) => m[1]);
  if (actions.length === 0) throw new Error("no signing request waits");
  const mine = page.lastTx && actions.find((a) => decodeURIComponent(a.split("/").pop()) === page.lastTx);
  page.decidedTx = page.lastTx;
  const url = `${URL}${mine ?? actions[actions.length - 1]}/${decision === "Approve" ? "approve" : "reject"}`;
  const res = await page.request.post(url, { maxRedirects: 0 });
  if (res.status() !== 303) throw new Error(`${decision}: ${res.status()}`);
}

/** After Submit on the portal's form page: the confirmation, drawn in place of the form under
 *  the dossier's address (`/d/{code}?new=1`), with the keep-my-data dialog declined if it
 *  opened over it. The dossier's code. */
export async function filed(page, timeout = 20000) {
  await page.locator("[data-testid=received] [data-testid=dossier-code]").waitFor({ timeout });
  await page.waitForURL(/\/d\/.+\?new=1$/);
  await skipKeepDialog(page);
  return (await page.textContent("[data-testid=dossier-code]")).trim();
}

/** From the confirmation to the dossier's page: its full receipt (status, summary, signature). */
export async function openDossier(page) {
  await page.click("[data-testid=see-dossier]");
  await page.locator("[data-testid=dossier]").waitFor();
}

/** Declines the offer to keep the entered data in the citizen's store, when it shows. */
export async function skipKeepDialog(page) {
  const dialog = page.locator("[data-testid=keep-dialog]");
  if (await dialog.count() > 0 && await dialog.evaluate((d) => d.open)) await page.click("[data-testid=keep-decline]");
}

/** Passes a request on to the portal, as a host portal's reverse proxy does (the tests that play
 *  a host page): to `path`, with `headers` (by default the request's, addressed to the portal). */
export function proxy(req, res, path = req.url, headers = undefined) {
  const upstream = new globalThis.URL(URL);
  headers ??= { ...req.headers, host: upstream.host };
  const proxied = http.request({ host: upstream.hostname, port: upstream.port, path, method: req.method, headers }, (up) => {
    res.writeHead(up.statusCode, up.headers);
    up.pipe(res);
  });
  proxied.on("error", () => { res.writeHead(502); res.end(); });
  req.pipe(proxied);
}

/** Stops a test's own HTTP server (a host page's) so that it does not keep Node running: a
 *  connection chromium left open did, now and then, until the file's timeout. */
export function stopServer(server) {
  server?.closeAllConnections();
  server?.close();
  server?.unref();
}
