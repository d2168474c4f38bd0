// After "Submit" on the phone: how long a signed-in citizen waits for the receipt (the dossier's
// code on screen), and what comes over the wire meanwhile. Against a running portal in
// development mode (EFORM_URL; demo citizens sign in through /dev/login):
//   EFORM_URL=http://127.0.0.1:8080 node bench/mobile/filing.mjs [--runs 5] [--user citizen-an]
// Each run: a new phone (profile.mjs, nothing cached), CT01 opened and filled in with its example
// data, then Submit; the clock runs from the click to the first frame with the code shown
// (`[data-testid=received]` with the dossier's code in it, under the dossier's address), and,
// where the portal asks about
// keeping declared values, to the consent dialog. Medians over the runs.
import { launch } from "../../tests/e2e/browser.mjs";
import { fill } from "../../tests/e2e/ct01.mjs";
import { phonePage } from "./profile.mjs";

const base = process.env.EFORM_URL ?? "http://127.0.0.1:8080";
const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const runs = Number(opt("--runs", "5"));
const user = opt("--user", "citizen-an");

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};

const browser = await launch();
const results = [];
for (let i = 0; i < runs; i++) {
  const { context, page, cdp } = await phonePage(browser);
  const signed = await page.goto(`${base}/dev/login?user=${encodeURIComponent(user)}&next=/`);
  if (!signed.ok()) throw new Error(`signing in as ${user}: ${signed.status()}`);
  await page.goto(`${base}/f/ct01`);
  await page.waitForFunction(() => !document.querySelector("#ef-ssr[data-ef-takeover]"), null, { timeout: 120000, polling: 50 });
  await fill(page);
  let bytes = 0;
  let requests = 0;
  cdp.on("Network.loadingFinished", (e) => { bytes += e.encodedDataLength; requests += 1; });
  const t0 = Date.now();
  await page.click(".ef-actions button[type=submit]:not([name])");
  // The confirmation with the code, on the dossier's address (a confirmation drawn on the form
  // page before it went on to another page does not count), then the consent dialog (if this
  // citizen has values to keep).
  await page.waitForFunction(() => location.pathname.startsWith("/d/")
    && /\d{6}-\d{4,}/.test(document.querySelector("[data-testid=received]")?.closest("main")?.textContent ?? ""), null, { timeout: 120000, polling: 20 });
  const receipt = Date.now() - t0;
  let dialog = null;
  try {
    await page.locator("[data-testid=keep-dialog]").waitFor({ timeout: 15000 });
    dialog = Date.now() - t0;
  } catch { /* nothing to keep */ }
  // What else the page asks for once the receipt is up (the QR code, …).
  await page.waitForTimeout(1000);
  results.push({ receipt, dialog, kib: bytes / 1024, requests, url: page.url().replace(base, "") });
  console.log(`run ${i + 1}: receipt ${receipt} ms, dialog ${dialog ?? "-"} ms, ${(bytes / 1024).toFixed(0)} KiB in ${requests} requests, at ${page.url().replace(base, "")}`);
  await context.close();
}
await browser.close();
const m = (k) => median(results.map((r) => r[k]).filter((v) => v !== null));
console.log(`median of ${runs}: receipt ${m("receipt")} ms, consent dialog ${m("dialog")} ms, ${m("kib").toFixed(0)} KiB`);
