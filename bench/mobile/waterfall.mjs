// Where a page's time goes on the phone: each request of one load on the mobile profile
// (profile.mjs; nothing cached) — when it was asked for, when its answer began and ended (ms
// from the first request), its size on the wire — and when the runtime had taken the portal's
// page over (`ready`, the page's clock). Against a running portal (EFORM_URL):
//   EFORM_URL=http://127.0.0.1:8080 node bench/mobile/waterfall.mjs /f/ct01 [--user citizen-an]
// `--user` signs a demo citizen in first (development mode). One load: read it for the order
// of things, and take timings from bench.mjs's medians.
import { launch } from "../../tests/e2e/browser.mjs";
import { phonePage } from "./profile.mjs";

const base = process.env.EFORM_URL ?? "http://127.0.0.1:8080";
const args = process.argv.slice(2);
const path = args.find((a) => a.startsWith("/")) ?? "/f/ct01";
const user = args.includes("--user") ? args[args.indexOf("--user") + 1] : null;

const browser = await launch();
const { page, cdp } = await phonePage(browser);
if (user) {
  const signed = await page.goto(`${base}/dev/login?user=${encodeURIComponent(user)}&next=/`);
  if (!signed.ok()) throw new Error(`signing in as ${user}: ${signed.status()}`);
}
const requests = new Map();
let t0 = null;
cdp.on("Network.requestWillBeSent", (e) => {
  t0 ??= e.timestamp;
  requests.set(e.requestId, { url: e.request.url.replace(/^https?:\/\/[^/]+/, ""), start: e.timestamp });
});
cdp.on("Network.responseReceived", (e) => { const r = requests.get(e.requestId); if (r) r.answer = e.timestamp; });
cdp.on("Network.loadingFinished", (e) => {
  const r = requests.get(e.requestId);
  if (r) { r.end = e.timestamp; r.bytes = e.encodedDataLength; }
});
await page.goto(`${base}${path}`, { waitUntil: "commit" });
await page.waitForFunction(() => !document.querySelector("#ef-ssr[data-ef-takeover]"), null, { timeout: 120000, polling: 50 });
const ready = await page.evaluate(() => performance.now());
// The requests the runtime makes once it is ready (none expected) show too.
await page.waitForTimeout(1000);
const ms = (t) => (t === undefined ? "" : ((t - t0) * 1000).toFixed(0));
console.log("   asked  answer     end     bytes  request");
for (const r of requests.values()) {
  console.log(`${ms(r.start).padStart(8)}${ms(r.answer).padStart(8)}${ms(r.end).padStart(8)}${String(r.bytes ?? "").padStart(10)}  ${r.url.slice(0, 90)}`);
}
console.log(`ready ${ready.toFixed(0)} ms (the page's clock, from its navigation)`);
await browser.close();
