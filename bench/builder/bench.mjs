// `cargo xtask bench builder`: how fast the builder's live preview follows an edit of a large
// form, in Debian's chromium (headless), against a running portal (EFORM_URL).
//
// An official opens a draft of 300 fields (10 sections of 30: text, number, date, drop-down,
// radio, checkbox, e-mail, long text, phone, ID number in turn), selects field 150 and then
//   - "label": types a new Vietnamese label, one input event per measurement;
//   - "add": adds a short-text field after the selected one from the palette.
// Each measurement runs in the page, starting right after a frame: the time from the event to
// the moment the preview's DOM shows the change (a MutationObserver sees it), and to the
// moment all the work the event caused is done (a task queued with the event runs after every
// microtask, where Leptos's effects run) — what must fit in one frame (16 ms) for the next
// paint to show the edit everywhere. Medians and 95th percentiles are printed, and the whole
// result as JSON with --json FILE.
import { chromium } from "playwright-core";
import { writeFileSync } from "node:fs";

const URL = process.env.EFORM_URL ?? "http://127.0.0.1:8080";
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const FIELDS = Number(opt("--fields", 300));
const RUNS = Number(opt("--runs", 40));
const JSON_OUT = opt("--json", null);
// --profile KIND: a CPU profile of that kind's measurements; the functions taking most time
// (self time) are printed (a build with names: see docs/builder.md).
const PROFILE = opt("--profile", null);
// --trace KIND: the browser's own work (style, layout, paint, …) during that kind's
// measurements, by event, from a Chrome trace.
const TRACE = opt("--trace", null);

const WIDGETS = ["text", "number", "date", "select", "radio", "checkbox", "email", "textarea", "phone", "id-number"];

/// A draft of `n` fields in sections of 30, every widget kind in turn, some required.
export function bigForm(id, n) {
  const properties = {};
  const required = [];
  const sections = [];
  for (let i = 0; i < n; i++) {
    const s = Math.floor(i / 30);
    if (!sections[s]) {
      sections[s] = { id: `s${s}`, title: { vi: `Mục ${s + 1}`, en: `Section ${s + 1}` }, items: [] };
    }
    const widget = WIDGETS[i % WIDGETS.length];
    const key = `f${i}`;
    const item = { widget, pointer: `/${key}`, label: { vi: `Trường ${i}`, en: `Field ${i}` } };
    let schema = { type: "string", maxLength: 200 };
    if (widget === "number") schema = { type: "number", minimum: 0 };
    if (widget === "date") schema = { type: "string", format: "date" };
    if (widget === "checkbox") schema = { type: "boolean" };
    if (widget === "email") schema = { type: "string", format: "email" };
    if (widget === "select" || widget === "radio") {
      item.options = ["a", "b", "c"].map((v) => ({ value: v, label: { vi: `Chọn ${v}`, en: `Choice ${v}` } }));
      schema = { type: "string", enum: ["a", "b", "c"] };
    }
    if (i % 4 === 0 && widget !== "checkbox") required.push(key);
    properties[key] = schema;
    sections[s].items.push(item);
  }
  return {
    id,
    version: 1,
    title: { vi: "Biểu mẫu lớn", en: "A large form" },
    agencyCode: "000.00.18.H56",
    dataSchema: { type: "object", properties, required },
    pages: [{ id: "page-1", title: { vi: "Trang 1", en: "Page 1" }, sections }],
  };
}

/// The 25 functions with the most self time in a CPU profile.
function printProfile(profile) {
  const self = new Map();
  const dt = profile.timeDeltas;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  profile.samples.forEach((id, i) => {
    const n = byId.get(id);
    const name = `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.split("/").pop()}`;
    self.set(name, (self.get(name) ?? 0) + (dt[i] ?? 0) / 1000);
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  console.log(`profile: ${total.toFixed(0)} ms sampled`);
  for (const [name, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(`  ${ms.toFixed(1).padStart(8)} ms  ${name.slice(0, 140)}`);
  }
  // Self time by crate (wasm) or kind (DOM, JS, browser).
  const crates = new Map();
  profile.samples.forEach((id, i) => {
    const f = byId.get(id).callFrame;
    let k;
    if (f.url.endsWith(".wasm")) {
      const m = f.functionName.match(/^<?(?:<)?([a-z_0-9]+)(?:\[[0-9a-f]+\])?::/);
      k = m ? m[1] : "wasm (other)";
    } else if (f.url) k = "js glue";
    else k = f.functionName || "(native)";
    if (k === "(idle)") return;
    crates.set(k, (crates.get(k) ?? 0) + (dt[i] ?? 0) / 1000);
  });
  console.log("self time by crate / kind:");
  for (const [name, ms] of [...crates].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(`  ${ms.toFixed(1).padStart(8)} ms  ${name}`);
  }
  // Inclusive time of our own crates' functions (each counted once per stack).
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const incl = new Map();
  profile.samples.forEach((id, i) => {
    const seen = new Set();
    for (let n = id; n !== undefined; n = parent.get(n)) {
      const f = byId.get(n).callFrame.functionName;
      if (/(form_core|form_ui|builder)::/.test(f) && !seen.has(f)) {
        seen.add(f);
        incl.set(f, (incl.get(f) ?? 0) + (dt[i] ?? 0) / 1000);
      }
    }
  });
  // EFORM_PROFILE_CALLERS=regex: the call stacks leading to the functions it matches.
  const callersOf = process.env.EFORM_PROFILE_CALLERS;
  if (callersOf) {
    const stacks = new Map();
    profile.samples.forEach((id, i) => {
      if (!new RegExp(callersOf).test(byId.get(id).callFrame.functionName)) return;
      const names = [];
      for (let n = parent.get(id); n !== undefined && names.length < 8; n = parent.get(n)) {
        names.push(byId.get(n).callFrame.functionName.replace(/::h[0-9a-f]{16}$/, "").slice(0, 90));
      }
      const k = names.join(" < ");
      stacks.set(k, (stacks.get(k) ?? 0) + (dt[i] ?? 0) / 1000);
    });
    for (const [k, ms] of [...stacks].sort((a, b) => b[1] - a[1]).slice(0, 5)) {
      console.log(`  ${ms.toFixed(1)} ms: ${k}`);
    }
  }
  console.log("inclusive, our crates:");
  for (const [name, ms] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
    console.log(`  ${ms.toFixed(1).padStart(8)} ms  ${name.slice(0, 150)}`);
  }
}

/// The complete events of a trace by name: total time on the main thread.
function printTrace(trace) {
  const events = trace.traceEvents ?? trace;
  const main = events.find((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain");
  const totals = new Map();
  for (const e of events) {
    if (e.ph !== "X" || !e.dur || (main && (e.pid !== main.pid || e.tid !== main.tid))) continue;
    totals.set(e.name, (totals.get(e.name) ?? 0) + e.dur / 1000);
  }
  console.log("trace, main thread (inclusive, events nest):");
  for (const [name, ms] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
    console.log(`  ${ms.toFixed(1).padStart(8)} ms  ${name}`);
  }
}

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, median: q(0.5), p95: q(0.95), min: s[0], max: s[s.length - 1] };
}

const browser = await chromium.launch({
  executablePath: process.env.EFORM_CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(String(e)));
  const login = await page.goto(`${URL}/dev/login?user=official-ha&next=/builder/`);
  if (!login.ok()) throw new Error(`signing in: ${login.status()}`);
  const id = `bench-${Date.now().toString(36)}`;
  const created = await page.request.post(`${URL}/api/v1/builder/forms`, {
    data: { id, definition: bigForm(id, FIELDS) },
  });
  if (created.status() !== 201) throw new Error(`creating the draft: ${created.status()} ${await created.text()}`);
  const t0 = Date.now();
  await page.goto(`${URL}/builder/?form=${id}`);
  const preview = page.locator("[data-testid=preview]");
  await preview.locator(`[id="f__f${FIELDS - 1}"]`).waitFor({ timeout: 60000 });
  const openMs = Date.now() - t0;
  await page.locator("[data-testid=canvas-item] .bd-item__pick").nth(150).click();
  await page.locator("#bd-label-vi").waitFor();

  // One measurement: `act` runs in the page and makes the change; `done` tells when the
  // preview shows it.
  const measure = (kind, i) => page.evaluate(([kind, i, field]) => new Promise((resolve) => {
    const frame = document.querySelector("[data-testid=preview]");
    let done;
    let act;
    // Cheap checks (they run on every batch of mutations): the field's own label, a live
    // list of the fields.
    if (kind === "label") {
      const text = `Nhãn mới ${i}`;
      const input = document.getElementById("bd-label-vi");
      done = () => frame.querySelector(`label[for="${field}"]`)?.textContent.includes(text);
      act = () => {
        input.value = text;
        input.dispatchEvent(new Event("input", { bubbles: true }));
      };
    } else {
      const fields = frame.getElementsByClassName("ef-field");
      const before = fields.length;
      done = () => fields.length > before;
      act = () => document.querySelector(".bd-palette button[data-widget=text]").click();
    }
    let seen = null;
    const observer = new MutationObserver(() => {
      if (seen === null && done()) seen = performance.now();
    });
    observer.observe(frame, { subtree: true, childList: true, characterData: true });
    // Start right after a frame, as an event would arrive.
    requestAnimationFrame(() => {
      const start = performance.now();
      // A task queued now runs once the change's microtasks (Leptos's effects) are all done.
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        const settled = performance.now();
        const finish = () => {
          if (seen === null) return setTimeout(finish, 1);
          observer.disconnect();
          resolve({ ms: seen - start, settled: settled - start });
        };
        finish();
      };
      act();
      if (seen === null && done()) seen = performance.now();
      channel.port2.postMessage(null);
    });
  }), [kind, i, "f__f150"]);

  const results = {};
  for (const kind of ["label", "add"]) {
    const runs = [];
    const cdp = PROFILE === kind ? await context.newCDPSession(page) : null;
    if (cdp) {
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
      await cdp.send("Profiler.start");
    }
    if (TRACE === kind) await browser.startTracing(page, { categories: ["devtools.timeline", "blink", "v8"] });
    for (let i = 0; i < RUNS; i++) {
      runs.push(await measure(kind, i));
      // Let the autosave and any idle work settle between measurements.
      await page.waitForTimeout(kind === "add" ? 150 : 30);
    }
    if (cdp) printProfile((await cdp.send("Profiler.stop")).profile);
    if (TRACE === kind) printTrace(JSON.parse((await browser.stopTracing()).toString()));
    if (process.env.EFORM_BENCH_VERBOSE) console.log(kind, runs.map((r) => `${r.ms.toFixed(0)}/${r.settled.toFixed(0)}`).join(" "));
    results[kind] = {
      preview: stats(runs.map((r) => r.ms)),
      settled: stats(runs.map((r) => r.settled)),
      withinFrame: runs.filter((r) => r.settled <= 16).length,
    };
  }
  const out = {
    date: new Date().toISOString(),
    fields: FIELDS,
    runs: RUNS,
    openMs,
    label: results.label,
    add: results.add,
    problems,
  };
  const f = (x) => x.toFixed(1);
  console.log(`builder, ${FIELDS}-field form (opened in ${openMs} ms, Playwright wait included):`);
  for (const kind of ["label", "add"]) {
    const r = results[kind];
    const what = kind === "label" ? "change a label" : "add a field  ";
    console.log(`  ${what}: preview shows it after median ${f(r.preview.median)} ms (p95 ${f(r.preview.p95)}); all work done after median ${f(r.settled.median)} ms (p95 ${f(r.settled.p95)}, min ${f(r.settled.min)}, max ${f(r.settled.max)}); within 16 ms: ${r.withinFrame}/${r.settled.n}`);
  }
  if (problems.length) console.log("page errors:", problems);
  if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify(out, null, 2));
} finally {
  await browser.close();
}
