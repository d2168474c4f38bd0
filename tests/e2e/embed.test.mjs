// Embedding: a plain portal page with hostile CSS and the CSP `default-src 'self'; script-src
// 'self' 'wasm-unsafe-eval'; style-src 'self'` includes /eform/eform.js and two <e-form>
// elements. The page is served by a small reverse proxy in front of the eform portal, as a
// portal team would serve it (same origin, which that CSP requires). The form works, looks
// right, reports its events, and a missing form reports an error instead of breaking the page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import path from "node:path";
import { tmpdir } from "node:os";
import { URL, launch, openPage, shot, axe, proxy, stopServer, holdWasm } from "./browser.mjs";
import { fill } from "./ct01.mjs";

const HOST_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";
const files = {
  "/host.html": ["text/html; charset=utf-8", "host.html"],
  "/host.css": ["text/css", "host.css"],
  "/host.js": ["text/javascript", "host.js"],
  "/own.html": ["text/html; charset=utf-8", "own.html"],
  "/own.js": ["text/javascript", "own.js"],
  "/one.html": ["text/html; charset=utf-8", "one.html"],
};
const example = JSON.parse(readFileSync(new globalThis.URL("../../schemas/forms/ct01.example.json", import.meta.url)));
const hkdExample = JSON.parse(readFileSync(new globalThis.URL("../../schemas/forms/household-business.example.json", import.meta.url)));
let browser, server, hostUrl;

before(async () => {
  server = http.createServer(async (req, res) => {
    // A page the host's server draws, with the form's drawing from the portal in the element.
    // (`?lang=`: the element's language; `?drawn=`: the drawing's; `?old`: a drawing kept
    // from an earlier release, its stylesheet gone.)
    if (req.url.startsWith("/inline.html")) {
      const q = new globalThis.URL(req.url, hostUrl).searchParams;
      const answer = await fetch(`${URL}/forms/ct01?as=shadow&lang=${q.get("drawn") ?? "vi"}`);
      // Only a drawing goes in the page: a 200 text/html answer that is a shadow root.
      let drawing = answer.ok && answer.headers.get("content-type").startsWith("text/html") ? await answer.text() : "";
      if (!drawing.startsWith("<template shadowrootmode=\"open\">")) drawing = "";
      if (q.has("old")) drawing = drawing.replace(/\/embed\/eform-[0-9a-f]+\.css/, "/embed/eform-0000000000000000.css");
      // The host page of the other tests, its CT01 element holding the drawing, and no other.
      const page = readFileSync(new globalThis.URL("./host/host.html", import.meta.url), "utf8")
        .replace(/\s*<e-form id="missing"[^>]*><\/e-form>/, "")
        .replace('<e-form id="ct01" src="/forms/ct01" lang="vi"></e-form>', `<e-form id="ct01" src="/forms/ct01" lang="${q.get("lang") ?? "vi"}">${drawing}</e-form>`);
      // No drawing in it (the portal did not answer one, or host.html changed): the test's
      // page says so, and the test fails on it.
      const drawn = page.includes("<template shadowrootmode");
      res.writeHead(drawn ? 200 : 500, { "content-type": "text/html; charset=utf-8", "content-security-policy": HOST_CSP });
      res.end(page);
      return;
    }
    // A host page has its own icon (a 404 for it would be a console error).
    if (req.url === "/favicon.ico") {
      res.writeHead(204);
      res.end();
      return;
    }
    const own = files[req.url.split("?")[0]];
    if (own) {
      res.writeHead(200, { "content-type": own[0], "content-security-policy": HOST_CSP });
      res.end(readFileSync(new globalThis.URL(`./host/${own[1]}`, import.meta.url)));
      return;
    }
    // Everything else is the portal's, passed through.
    proxy(req, res);
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  hostUrl = `http://127.0.0.1:${server.address().port}`;
  browser = await launch();
});
after(async () => {
  await browser?.close();
  stopServer(server);
});

const events = (page, name, id) => page.evaluate(([n, i]) => window.__events.filter((e) => e.name === n && (!i || e.id === i)), [name, id]);

test("an <e-form> works under a strict CSP and hostile CSS, and reports its events", async () => {
  const page = await openPage(browser, { width: 1100, height: 1400 });
  await page.goto(`${hostUrl}/host.html`);
  await page.waitForFunction(() => window.__events?.some((e) => e.name === "eform:ready"));
  const [ready] = await events(page, "eform:ready", "ct01");
  assert.deepEqual(ready.detail, { formId: "ct01", version: 1 });
  // The missing form says so through an event and a message, and the other form is unharmed.
  await page.waitForFunction(() => window.__events.some((e) => e.name === "eform:error"));
  const [failed] = await events(page, "eform:error", "missing");
  assert.equal(failed.detail.code, "form-not-found");
  assert.equal(await page.locator("#missing .ef-panel").textContent(), "Form not found.");

  // The host's CSS does not reach inside: inputs show, labels are visible, colours are eform's.
  const name = page.locator("#ct01 #f__applicant__fullName");
  const style = await name.evaluate((el) => {
    const s = getComputedStyle(el);
    const label = getComputedStyle(el.getRootNode().querySelector("label[for=f__applicant__fullName]"));
    return { display: s.display, background: s.backgroundColor, color: s.color, label: label.visibility, labelColor: label.color, font: label.fontFamily };
  });
  assert.notEqual(style.display, "none");
  assert.equal(style.background, "rgb(255, 255, 255)");
  assert.equal(style.label, "visible");
  assert.equal(style.labelColor, "rgb(27, 27, 27)");
  assert.ok(!style.font.includes("Comic"), style.font);

  // Filled and submitted inside the shadow root.
  const a = example.applicant, h = example.householdHead, m = example.members[0];
  const dmy = (d) => d.split("-").reverse().join("/");
  const f = (sel, opts) => page.locator(`#ct01 ${sel}`, opts);
  await f("#f__receivingAgency").fill(example.receivingAgency);
  await name.fill(a.fullName);
  await f("#f__applicant__dateOfBirth").fill(dmy(a.dateOfBirth));
  await f(a.sex === "nu" ? "#f__applicant__sex-1" : "#f__applicant__sex").check();
  await f("#f__applicant__idNumber").fill(a.idNumber);
  await f("#f__householdHead__fullName").fill(h.fullName);
  await f("#f__householdHead__relationship").selectOption(h.relationship);
  await f("#f__householdHead__idNumber").fill(h.idNumber);
  await f("#f__request").fill(example.request);
  assert.ok((await events(page, "eform:change", "ct01")).length >= 9);
  const last = (await events(page, "eform:change", "ct01")).at(-1);
  assert.equal(last.detail.data.applicant.fullName, a.fullName);
  // The error summary works inside the shadow root too: its link focuses the field.
  await f("#f__request").fill("");
  await f(".ef-actions button[type=submit]").click();
  await f(".ef-summary").waitFor();
  await f(".ef-summary li a").first().click();
  await page.waitForFunction(() => document.querySelector("#ct01").shadowRoot.activeElement?.id === "f__request");
  await f("#f__request").fill(example.request);
  await f("#f__members").click();
  await f("#f__members__0__fullName").fill(m.fullName);
  await f("#f__members__0__dateOfBirth").fill(dmy(m.dateOfBirth));
  await f("#f__members__0__sex").selectOption(m.sex);
  await f("#f__members__0__idNumber").fill(m.idNumber);
  await f("#f__members__0__relationship").selectOption(m.relationship);
  await f(".ef-actions button[type=submit]").click();
  await page.waitForFunction(() => window.__events.some((e) => e.name === "eform:submitted"));
  const [submitted] = await events(page, "eform:submitted", "ct01");
  assert.equal(submitted.detail.data.householdHead.fullName, h.fullName);
  await f("[data-testid=accepted]").waitFor();

  // Nothing was blocked by the CSP and nothing failed.
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  // (The browser logs the 404 of the missing form's definition; that is the point of it.)
  assert.deepEqual(page.problems.filter((p) => !p.includes("404")), []);
  // Accessibility of the embedded form (the host page's own contrast is the host's business).
  assert.deepEqual(await axe(page, { include: [["#ct01"]] }), []);
  // The host switches the language by the attribute: the form stays, in English.
  await page.evaluate(() => document.querySelector("#ct01").setAttribute("lang", "en"));
  await f("label[for=f__applicant__fullName]", { hasText: "Full name" }).waitFor();
  assert.equal(await name.inputValue(), a.fullName);
  // An element given its src only after it is in the page draws its form too.
  await page.evaluate(() => {
    const late = document.createElement("e-form");
    late.id = "late";
    document.querySelector("main").append(late);
    late.setAttribute("src", "/forms/household-business");
  });
  await page.waitForFunction(() => window.__events.some((e) => e.name === "eform:ready" && e.id === "late"));
  assert.equal((await events(page, "eform:ready", "late")).length, 1, "mounted once");
  await page.locator("#late #f__owner__fullName").waitFor();
  // Emptied by the host: the form goes away.
  await page.evaluate(() => document.querySelector("#late").remove());
  await page.locator("#ct01").screenshot({ path: shot("embed-ct01-hostile-host") });
  await page.screenshot({ path: shot("embed-host-page"), fullPage: false });
  await page.close();
});

test("before the runtime's code arrives, an <e-form> shows the form the portal drew; typing in it is kept when the runtime takes over (360 px)", async () => {
  const page = await openPage(browser, { width: 360, height: 800 });
  const release = await holdWasm(page);
  await page.goto(`${hostUrl}/host.html`, { takeover: false });
  const f = (selector, opts) => page.locator(`#ct01 ${selector}`, opts);
  // The drawn form, in the element's shadow root with eform's stylesheet; the missing form's
  // src gives no drawing, so that element stays empty until the runtime says why.
  await f("#ef-ssr[data-ef-takeover] form.ef-form").waitFor();
  assert.equal(await f("label[for=f__applicant__fullName]").textContent().then((s) => s.includes("Họ, chữ đệm và tên")), true);
  assert.equal(await page.locator("#missing .ef-form").count(), 0);
  assert.equal(await f(".ef-lang__button[disabled]").count(), 2, "the language waits for the runtime");
  await page.locator("#ct01").screenshot({ path: shot("embed-drawn-before-runtime") });
  await f("#f__receivingAgency").fill(example.receivingAgency);
  await f("#f__applicant__fullName").fill("Nguyễn Văn Ân");
  await f("#f__householdHead__relationship").selectOption(example.householdHead.relationship);
  // Enter in a field sends nothing yet: the host page stays where it is, the value too.
  await f("#f__applicant__fullName").press("Enter");
  await page.waitForTimeout(300);
  assert.equal(page.url(), `${hostUrl}/host.html`);
  assert.equal(await f("#f__applicant__fullName").inputValue(), "Nguyễn Văn Ân");
  await f("#f__request").click();
  await page.keyboard.type("Đăng ký thường trú");
  for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowLeft");
  assert.equal(await page.evaluate(() => window.__events.filter((e) => e.name === "eform:ready").length), 0);
  // The light runtime takes the drawing over in place: the elements on screen stay.
  await page.evaluate(() => { document.querySelector("#ct01").shadowRoot.getElementById("f__request").__drawn = true; });

  release();
  await page.waitForFunction(() => window.__events?.some((e) => e.name === "eform:ready" && e.id === "ct01"));
  assert.equal(await page.evaluate(() => document.querySelector("#ct01").shadowRoot.getElementById("f__request").__drawn), true);
  // The runtime's code was asked for only once the drawing had come (not sharing the line with
  // it on a slow phone).
  const order = await page.evaluate(() => {
    const entries = performance.getEntriesByType("resource");
    const drawing = entries.find((e) => e.name.includes("/forms/ct01?as=html"));
    const wasm = entries.find((e) => e.name.endsWith("_bg.wasm") && e.name.includes("/embed/"));
    const styles = entries.filter((e) => /\/embed\/eform-[0-9a-f]+\.css$/.test(e.name));
    // The definition: asked for beside the code, and that answer used (asked once).
    const definition = entries.filter((e) => /\/forms\/ct01$/.test(e.name));
    return { drawn: drawing?.responseEnd, wasm: wasm?.startTime, wasmEnd: wasm?.responseEnd, styles: styles.map((e) => e.startTime), definition: definition.map((e) => e.startTime) };
  });
  assert.ok(order.drawn > 0 && order.wasm > order.drawn, JSON.stringify(order));
  assert.equal(order.definition.length, 1, JSON.stringify(order));
  assert.ok(order.definition[0] < order.wasmEnd, JSON.stringify(order));
  // The stylesheet was asked for beside the drawing, not after it (one round trip less on a
  // slow line), and once.
  assert.equal(order.styles.length, 1, JSON.stringify(order));
  assert.ok(order.styles[0] < order.drawn, JSON.stringify(order));
  // One form now, the runtime's, with what was typed, the focus and the caret.
  assert.equal(await f("#ef-ssr").count(), 0);
  assert.equal(await f("form.ef-form").count(), 1);
  assert.equal(await f("#f__receivingAgency").inputValue(), example.receivingAgency);
  assert.equal(await f("#f__applicant__fullName").inputValue(), "Nguyễn Văn Ân");
  assert.equal(await f("#f__householdHead__relationship").inputValue(), example.householdHead.relationship);
  assert.equal(await f("#f__request").inputValue(), "Đăng ký thường trú");
  const focus = await page.evaluate(() => {
    const active = document.querySelector("#ct01").shadowRoot.activeElement;
    return [active?.id, active?.selectionStart];
  });
  assert.deepEqual(focus, ["f__request", "Đăng ký thường trú".length - 3]);
  await page.keyboard.type("X");
  assert.equal(await f("#f__request").inputValue(), "Đăng ký thường Xtrú");
  // The runtime's form works: the language switch, and what the host reads.
  assert.equal(await f(".ef-lang__button[disabled]").count(), 0);
  const data = await page.evaluate(() => document.getElementById("ct01").data);
  assert.equal(data.applicant.fullName, "Nguyễn Văn Ân");
  await page.locator("#missing .ef-panel").waitFor();
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  assert.deepEqual(page.problems.filter((p) => !p.includes("404")), []);
  assert.deepEqual(await axe(page, { include: [["#ct01"]] }), []);
  await page.locator("#ct01").screenshot({ path: shot("embed-drawn-taken-over") });
  await page.close();
});

test("a host's server puts the form's drawing in the <e-form> (a declarative shadow root, ?as=shadow): shown without JavaScript and before the runtime, nothing sent until it takes over, typing kept (360 px)", async () => {
  // Without JavaScript: the form is on the page with its stylesheet; nothing can be sent.
  const plain = await openPage(browser, { width: 360, height: 800, javaScript: false });
  await plain.goto(`${hostUrl}/inline.html`);
  const g = (selector) => plain.locator(`#ct01 ${selector}`);
  await g("#ef-ssr[data-ef-takeover] form.ef-form").waitFor();
  assert.ok(await g("button[type=submit]").count() > 1);
  assert.equal(await g("button[type=submit]:not([disabled])").count(), 0);
  assert.equal(await g(".ef-actions").evaluate((e) => getComputedStyle(e).display), "flex", "eform's stylesheet applies");
  // It says, above the form, that going on and sending need JavaScript.
  const notice = g("[data-ef-needs-script]");
  assert.ok(await notice.isVisible());
  assert.match(await notice.textContent(), /cần bật JavaScript/);
  assert.ok(await notice.evaluate((n) => n.getBoundingClientRect().bottom <= document.querySelector("#ct01").shadowRoot.querySelector("form.ef-form").getBoundingClientRect().top));
  await g("#f__applicant__fullName").fill("Nguyễn Văn Ân");
  await g("#f__applicant__fullName").press("Enter");
  await g(".ef-actions button[type=submit]:not([name])").click({ force: true });
  await plain.waitForTimeout(300);
  assert.equal(plain.url(), `${hostUrl}/inline.html`, "nothing sent, no data in an address");
  await plain.locator("#ct01").screenshot({ path: shot("embed-inline-without-js") });
  await plain.close();

  // With JavaScript, the runtime's code held back: the drawing is there before it, and no
  // drawing is fetched; typing is kept when the runtime takes over, whose form sends.
  const page = await openPage(browser, { width: 360, height: 800 });
  const release = await holdWasm(page);
  const fetched = [];
  const navigations = [];
  page.on("request", (r) => {
    if (r.url().includes("as=html")) fetched.push(r.url());
    if (r.isNavigationRequest()) navigations.push(r.url());
  });
  await page.goto(`${hostUrl}/inline.html`, { takeover: false });
  const f = (selector) => page.locator(`#ct01 ${selector}`);
  await f("#ef-ssr[data-ef-takeover] form.ef-form").waitFor();
  assert.equal(await f("[data-ef-needs-script]").count(), 0, "a browser running scripts never shows the notice, not even before the runtime");
  await f("#f__applicant__fullName").fill("Nguyễn Văn Ân");
  await f("#f__applicant__fullName").press("Enter");
  await page.waitForTimeout(300);
  assert.equal(page.url(), `${hostUrl}/inline.html`);
  release();
  await page.waitForFunction(() => window.__events?.some((e) => e.name === "eform:ready" && e.id === "ct01"));
  assert.equal(await f("#ef-ssr").count(), 0);
  assert.equal(await f("#f__applicant__fullName").inputValue(), "Nguyễn Văn Ân");
  assert.equal(await f("button[type=submit][disabled]").count(), 0, "the runtime's buttons work");
  assert.deepEqual(fetched, []);
  await f(".ef-actions button[type=submit]:not([name])").click();
  await f(".ef-summary").waitFor();
  assert.deepEqual(navigations, [`${hostUrl}/inline.html`], "never sent to the host page's address");
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  assert.deepEqual(page.problems, []);
  assert.deepEqual(await axe(page, { include: [["#ct01"]] }), []);
  await page.locator("#ct01").screenshot({ path: shot("embed-inline-taken-over") });
  await page.close();
});

test("a drawing in the host's page from an earlier release gets this build's stylesheet; one in another language than the element's gives way to the portal's in the element's", async () => {
  const page = await openPage(browser, { width: 360, height: 800 });
  const release = await holdWasm(page);
  await page.goto(`${hostUrl}/inline.html?old`, { takeover: false });
  const styled = () => page.evaluate(() => {
    const shadow = document.querySelector("#ct01").shadowRoot;
    return [shadow.querySelector("link[rel=stylesheet]").href.replace(/^.*\//, ""), getComputedStyle(shadow.querySelector(".ef-actions")).display];
  });
  // Before the runtime: the stylesheet eform.js names, the form styled.
  await page.waitForFunction(() => getComputedStyle(document.querySelector("#ct01").shadowRoot.querySelector(".ef-actions")).display === "flex");
  const [before] = await styled();
  assert.match(before, /^eform-[0-9a-f]{16}\.css$/);
  assert.notEqual(before, "eform-0000000000000000.css");
  release();
  await page.waitForFunction(() => window.__events?.some((e) => e.name === "eform:ready" && e.id === "ct01"));
  assert.deepEqual(await styled(), [before, "flex"], "the runtime's form too");
  // The old stylesheet's 404, nothing else.
  assert.deepEqual(page.problems.filter((p) => !p.includes("404") && !p.includes("eform-0000000000000000.css")), []);
  await page.close();

  const other = await openPage(browser, { width: 360, height: 800 });
  const hold = await holdWasm(other);
  await other.goto(`${hostUrl}/inline.html?lang=en&drawn=vi`, { takeover: false });
  await other.locator("#ct01 #ef-ssr .ef-embed[lang=en] form.ef-form").waitFor();
  assert.equal((await other.locator("#ct01 label[for=f__applicant__fullName]").textContent()).includes("Full name"), true);
  assert.equal(await other.locator("#ct01 .ef-embed[lang=vi]").count(), 0);
  hold();
  await other.waitForFunction(() => window.__events?.some((e) => e.name === "eform:ready" && e.id === "ct01"));
  assert.equal(await other.locator("#ct01 .ef-embed[lang=en]").count(), 1);
  assert.deepEqual(other.problems, []);
  await other.close();
});

test("an <e-form> upgraded with its attributes asks for its runtime's glue beside its drawing, and its wasm and the definition only once the drawing is on screen", async () => {
  const page = await openPage(browser, { width: 360, height: 800 });
  let release;
  const gate = new Promise((r) => { release = r; });
  await page.route("**/forms/ct01?as=html*", async (route) => { await gate; await route.continue(); });
  const asked = [];
  page.on("request", (r) => { const u = new globalThis.URL(r.url()); asked.push(u.pathname + u.search); });
  await page.goto(`${hostUrl}/one.html`, { takeover: false });
  // The drawing held: the runtime's glue comes beside it (the element needs the build with
  // the services: it names intake), the wasm and the definition wait for the drawing.
  await page.waitForRequest((r) => /\/embed\/form-bind-services-[0-9a-f]+\.js$/.test(r.url()));
  await page.waitForTimeout(500);
  assert.deepEqual(asked.filter((p) => p.endsWith("_bg.wasm") || p === "/forms/ct01"), [], asked.join(" "));
  release();
  await page.waitForFunction(() => window.__events?.some((e) => e.name === "eform:ready" && e.id === "ct01"));
  const drawing = asked.findIndex((p) => p.startsWith("/forms/ct01?as=html"));
  const wasm = asked.findIndex((p) => p.endsWith("_bg.wasm"));
  assert.ok(drawing >= 0 && wasm > drawing, asked.join(" "));
  assert.equal(asked.filter((p) => p === "/forms/ct01").length, 1, asked.join(" "));
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("before the runtime arrives, the drawing follows the element's src, comes only from the page's origin, and stays readable if the runtime cannot load", async () => {
  const page = await openPage(browser, { width: 1100, height: 1400 });
  const release = await holdWasm(page);
  const drawings = [];
  page.on("request", (r) => { if (r.url().includes("as=html")) drawings.push(r.url()); });
  await page.goto(`${hostUrl}/host.html`, { takeover: false });
  await page.locator("#ct01 #ef-ssr form.ef-form").waitFor();
  // A new src before the runtime: the old drawing goes, the new form's comes, and the runtime
  // takes over that one.
  await page.evaluate(() => document.getElementById("ct01").setAttribute("src", "/forms/household-business"));
  await page.locator("#ct01 #ef-ssr #f__owner__fullName").waitFor();
  assert.equal(await page.locator("#ct01 #f__applicant__fullName").count(), 0);
  // A src on another origin is never asked for a drawing (its HTML would not be the portal's).
  const portal = new globalThis.URL(URL);
  await page.evaluate((src) => {
    const other = document.createElement("e-form");
    other.id = "other";
    other.setAttribute("src", src);
    document.querySelector("main").append(other);
  }, `${portal.origin}/forms/ct01`);
  await page.waitForTimeout(300);
  assert.ok(drawings.every((u) => new globalThis.URL(u).origin === hostUrl), JSON.stringify(drawings));
  assert.equal(await page.locator("#other #ef-ssr").count(), 0);
  await page.evaluate(() => document.getElementById("other").remove());
  release();
  await page.waitForFunction(() => window.__events?.some((e) => e.name === "eform:ready" && e.id === "ct01"));
  const [ready] = await events(page, "eform:ready", "ct01");
  assert.equal(ready.detail.formId, "household-business");
  assert.equal(await page.locator("#ct01 #ef-ssr").count(), 0);
  assert.equal(await page.locator("#ct01 form.ef-form").count(), 1);
  await page.close();

  // The runtime's code cannot be had: the drawn form stays, with what was typed, and the
  // element says so (and tells the page).
  const broken = await openPage(browser, { width: 1100, height: 1400 });
  await broken.route("**/*_bg.wasm", (route) => route.abort());
  await broken.goto(`${hostUrl}/host.html`, { takeover: false });
  await broken.locator("#ct01 #ef-ssr form.ef-form").waitFor();
  await broken.locator("#ct01 #f__applicant__fullName").fill("Nguyễn Văn Ân");
  await broken.locator("#ct01 [role=alert]").first().waitFor();
  assert.match(await broken.locator("#ct01 [role=alert]").first().textContent(), /Không tải được biểu mẫu/);
  assert.equal(await broken.locator("#ct01 #f__applicant__fullName").inputValue(), "Nguyễn Văn Ân");
  const failed = await events(broken, "eform:error", "ct01");
  assert.equal(failed[0]?.detail.code, "load-failed");
  await broken.close();

  // The runtime is here but the definition cannot be had (the line dropped): what was typed in
  // the drawing stays on screen, the runtime's message under it.
  const dropped = await openPage(browser, { width: 1100, height: 1400 });
  const letWasm = await holdWasm(dropped);
  await dropped.route("**/forms/ct01", (route) => route.abort());
  await dropped.goto(`${hostUrl}/host.html`, { takeover: false });
  await dropped.locator("#ct01 #ef-ssr form.ef-form").waitFor();
  await dropped.locator("#ct01 #f__applicant__fullName").fill("Nguyễn Văn Ân");
  letWasm();
  await dropped.waitForFunction(() => window.__events?.some((e) => e.name === "eform:error" && e.id === "ct01"));
  await dropped.locator("#ct01 .ef-embed [role=alert]").waitFor();
  assert.equal(await dropped.locator("#ct01 #ef-ssr #f__applicant__fullName").inputValue(), "Nguyễn Văn Ân");
  assert.ok(await dropped.locator("#ct01 .ef-embed [role=alert]").isVisible());
  await dropped.close();
});

test("a host script reads and replaces an <e-form>'s data and asks it to validate", async () => {
  const page = await openPage(browser, { width: 1100, height: 1400 });
  await page.goto(`${hostUrl}/host.html`);
  await page.waitForFunction(() => window.__events?.some((e) => e.name === "eform:ready" && e.id === "ct01"));
  // Empty: every error shows, and the result lists them with pointers and both languages.
  const empty = await page.evaluate(() => document.getElementById("ct01").validate());
  assert.equal(empty.valid, false);
  const missing = empty.errors.find((e) => e.pointer === "/applicant/fullName");
  assert.equal(missing.code, "required");
  assert.ok(missing.message.vi && missing.message.en);
  assert.ok(await page.locator("#ct01 #f__applicant__fullName-error").isVisible());

  // Data of another shape (rows added) after the errors were shown: drawn again, and what is
  // still wrong still shows, without validating again.
  const noName = structuredClone(example);
  delete noName.applicant.fullName;
  await page.evaluate((d) => { document.getElementById("ct01").data = d; }, noName);
  await page.locator("#ct01 #f__members__0__fullName").waitFor();
  assert.ok(await page.locator("#ct01 #f__applicant__fullName-error").isVisible());
  assert.ok(!(await page.locator("#ct01 #f__applicant__dateOfBirth-error").count()));

  // The whole example at once: inputs show it (dates as dd/mm/yyyy, rows drawn), nothing is wrong.
  await page.evaluate((d) => { document.getElementById("ct01").data = d; }, example);
  assert.equal(await page.locator("#ct01 #f__applicant__fullName").inputValue(), example.applicant.fullName);
  assert.equal(await page.locator("#ct01 #f__applicant__dateOfBirth").inputValue(), example.applicant.dateOfBirth.split("-").reverse().join("/"));
  assert.equal(await page.locator("#ct01 #f__members__0__fullName").inputValue(), example.members[0].fullName);
  const full = await page.evaluate(() => document.getElementById("ct01").validate());
  assert.deepEqual(full, { valid: true, errors: [] });
  assert.deepEqual(await page.evaluate(() => document.getElementById("ct01").data), example);
  // A host that writes back what eform:change gives it does not start a loop.
  const changes = await page.evaluate(async () => {
    const el = document.getElementById("ct01");
    let n = 0;
    el.addEventListener("eform:change", (e) => { n += 1; el.data = e.detail.data; });
    el.data = structuredClone(el.data);
    await new Promise((ok) => setTimeout(ok, 300));
    return n;
  });
  assert.equal(changes, 0);

  // One value changed from outside: that input follows, its error shows once validated.
  const changed = structuredClone(example);
  changed.applicant.fullName = "";
  delete changed.applicant.fullName;
  // Drawn again, only that item is touched, and the summary of the errors shown comes; the
  // other items keep their elements and attributes as they were.
  const touched = await page.evaluate(async (d) => {
    const el = document.getElementById("ct01");
    const seen = new Set();
    const observer = new MutationObserver((list) => {
      for (const m of list) {
        const at = m.target.nodeType === 1 ? m.target : m.target.parentElement;
        const item = at?.closest("[data-ef-item]")?.dataset.efItem;
        const added = [...m.addedNodes].map((n) => n.className).join(" ");
        seen.add(item ?? `${at?.className || at?.tagName}: ${m.type} ${m.attributeName ?? added}`);
      }
    });
    observer.observe(el.shadowRoot ?? el, { subtree: true, childList: true, attributes: true, characterData: true });
    el.data = d;
    await new Promise((ok) => setTimeout(ok, 100));
    observer.disconnect();
    return [...seen];
  }, changed);
  assert.deepEqual(touched.sort(), ["/applicant/fullName", "ef-form: childList ef-summary"]);
  assert.equal(await page.locator("#ct01 #f__applicant__fullName").inputValue(), "");
  assert.equal(await page.locator("#ct01 #f__members__0__fullName").inputValue(), example.members[0].fullName);
  const again = await page.evaluate(() => document.getElementById("ct01").validate());
  assert.deepEqual(again.errors.map((e) => e.pointer), ["/applicant/fullName"]);

  // A value that is not one of the options: "choose one" shows, and the error says why.
  const odd = structuredClone(example);
  odd.householdHead.relationship = "not-an-option";
  await page.evaluate((d) => { document.getElementById("ct01").data = d; }, odd);
  assert.equal(await page.locator("#ct01 #f__householdHead__relationship").evaluate((el) => el.selectedIndex), 0);
  const oddErrors = await page.evaluate(() => document.getElementById("ct01").validate());
  assert.deepEqual(oddErrors.errors.map((e) => [e.pointer, e.code]), [["/householdHead/relationship", "enum"]]);

  // Data that is not an object is refused with a message; what was there stays.
  const refused = await page.evaluate(() => { try { document.getElementById("ct01").data = [1]; return null; } catch (e) { return e; } });
  assert.ok(refused?.en?.includes("object"), JSON.stringify(refused));
  assert.equal(await page.locator("#ct01 #f__members__0__fullName").inputValue(), example.members[0].fullName);
  await page.close();
});

test("renderForm() on a page without <e-form>: the light runtime fills, checks and submits CT01", async () => {
  const page = await openPage(browser, { width: 360, height: 800 });
  const wasm = [];
  page.on("request", (r) => { if (r.url().endsWith(".wasm")) wasm.push(r.url()); });
  await page.goto(`${hostUrl}/own.html?lang=en`);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  const name = page.locator("#own #f__applicant__fullName");
  await name.waitFor();
  // Only the runtime's build without the host's services came (form-bind).
  assert.ok(wasm.length > 0 && wasm.every((u) => /\/form-bind-[0-9a-f]+_bg\.wasm$/.test(u)), wasm.join(" "));
  // The markup is the portal's (form-html): every item marked with its pointer.
  assert.equal(await page.locator("#own [data-ef-item='/applicant/fullName']").count(), 1);

  // A required field emptied and left shows its error; typing it again takes it away, and the
  // input keeps its focus and caret while the page is brought up to date around it.
  await name.fill("Nguyễn");
  await name.fill("");
  await name.press("Tab");
  const error = page.locator("#own #f__applicant__fullName-error");
  await error.waitFor();
  assert.equal(await name.getAttribute("aria-invalid"), "true");
  await name.focus();
  await name.pressSequentially("Nguyễn Văn An");
  assert.equal(await error.count(), 0);
  assert.equal(await name.evaluate((el) => document.activeElement === el && el.selectionStart), "Nguyễn Văn An".length);
  assert.equal(await page.evaluate(() => window.__form.data().applicant.fullName), "Nguyễn Văn An");

  // Submitting with errors: the summary, each entry a link to its field.
  await page.locator("#own .ef-actions button[type=submit]").click();
  const summary = page.locator("#own .ef-summary");
  await summary.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.classList.contains("ef-summary")), true);
  await summary.locator("a[href='#f__receivingAgency']").click();
  assert.equal(await page.evaluate(() => document.activeElement.id), "f__receivingAgency");
  assert.ok(!page.url().includes("#"), "the host page's address stays");

  // Rows are added (the new row's first field gets the focus) and removed.
  await page.click("#own #f__members");
  assert.equal(await page.evaluate(() => document.activeElement.id), "f__members__0__fullName");
  await page.click("#own #f__members");
  assert.equal(await page.locator("#own #f__members__1__fullName").count(), 1);
  await page.locator("#own button[value='remove:/members/1']").click();
  assert.equal(await page.locator("#own #f__members__1__fullName").count(), 0);

  // The other language: every text drawn again, what was typed stays.
  await page.click("#own [data-ef-lang=vi]");
  assert.ok((await page.locator("#own label[for=f__applicant__fullName]").textContent()).startsWith("Họ"));
  assert.equal(await name.inputValue(), "Nguyễn Văn An");
  await page.click("#own [data-ef-lang=en]");

  // What was typed is a draft: a reload brings it back, with the notice.
  await page.reload();
  await page.locator("#own [data-testid=draft-restored]").waitFor();
  assert.equal(await page.locator("#own #f__applicant__fullName").inputValue(), "Nguyễn Văn An");

  // Filled in whole and submitted: the portal's check API agrees, the host hears of it.
  await fill(page);
  assert.deepEqual(await axe(page, "#own"), []);
  await page.screenshot({ path: shot("render-form-light-360"), fullPage: true });
  await page.locator("#own .ef-actions button[type=submit]").click();
  await page.locator("#own [data-testid=accepted]").waitFor();
  const [submitted] = await events(page, "eform:submitted", "own");
  assert.equal(submitted.detail.data.applicant.fullName, example.applicant.fullName);
  assert.equal(submitted.detail.data.members.length, 1);
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("the light runtime: a multi-select drives a rule that shows a field and a whole table, by keyboard too", async () => {
  const page = await openPage(browser, { width: 1100, height: 1400 });
  await page.goto(`${hostUrl}/own.html?form=kinds`);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.locator("#own h1.ef-title").waitFor();
  assert.match(await page.textContent("#own fieldset legend"), /Dịch vụ cần đăng ký/);
  // The provider field and the table of devices are hidden until "Internet" is ticked.
  assert.equal(await page.isVisible("#f__provider"), false);
  assert.equal(await page.isVisible("#f__devices"), false);
  const submit = page.locator("#own .ef-actions button[type=submit]");
  await submit.click();
  assert.deepEqual(await page.locator("#own .ef-summary li a").allTextContents(), ["Vui lòng chọn ít nhất một mục cho dịch vụ cần đăng ký."]);
  await page.locator("#own .ef-summary li a").first().click();
  await page.waitForFunction(() => document.activeElement?.id === "f__services");
  await page.check("#f__services");        // Điện
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Space");      // Internet, by keyboard
  assert.ok(await page.isChecked("#f__services-2"));
  await page.locator("#f__provider").waitFor({ state: "visible" });
  await page.locator("#f__devices").waitFor({ state: "visible" });
  assert.equal(await page.evaluate(() => document.activeElement?.id), "f__services-2");
  await submit.click();
  assert.deepEqual(await page.locator("#own .ef-summary li a").allTextContents(), ["Vui lòng nhập nhà cung cấp internet."]);
  await page.fill("#f__provider", "VNPT");
  await submit.click();
  await page.locator("#own [data-testid=accepted]").waitFor();
  const [submitted] = await events(page, "eform:submitted", "own");
  assert.deepEqual(submitted.detail.data.services.length, 2);
  assert.equal(submitted.detail.data.provider, "VNPT");
  assert.deepEqual(await axe(page, "#own"), []);
  assert.deepEqual(page.problems, []);
  await page.screenshot({ path: shot("render-form-light-kinds"), fullPage: true });
  await page.close();
});

test("the light runtime: a long form page by page, Back keeps what was typed, an attachment checked as it is picked", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "eform-light-"));
  const docx = path.join(dir, "hop-dong.docx");
  writeFileSync(docx, "not really a document");
  const good = path.join(dir, "hop-dong-thue-nha.pdf");
  writeFileSync(good, Buffer.alloc(120_000, 1));
  const page = await openPage(browser, { width: 360, height: 800 });
  await page.goto(`${hostUrl}/own.html?form=household-business`);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.locator("#own h1.ef-title").waitFor();
  // "Continue" on an empty first page: its errors, in the summary, and the page stays.
  const next = page.locator("#own .ef-actions button[name=ef-go]").last();
  await next.click();
  await page.locator("#own .ef-summary").waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.classList.contains("ef-summary")), true);
  // With the example's data (a host's set_data), page by page to the last.
  const data = structuredClone(hkdExample);
  delete data.attachments;
  await page.evaluate((d) => window.__form.set_data(d), data);
  await next.click();
  await page.waitForFunction(() => document.activeElement?.id === "ef-page-1");
  assert.equal(await page.locator("#own .ef-summary").count(), 0);
  await page.locator("#own .ef-actions button[name=ef-go]").last().click();
  await page.waitForFunction(() => document.activeElement?.id === "ef-page-2");
  // Back and forth: what is on the first page is still there.
  await page.locator("#own .ef-actions button[name=ef-go]").first().click();
  await page.waitForFunction(() => document.activeElement?.id === "ef-page-1");
  await page.locator("#own .ef-actions button[name=ef-go]").last().click();
  await page.waitForFunction(() => document.activeElement?.id === "ef-page-2");
  assert.equal(await page.evaluate(() => window.__form.data().business.name), hkdExample.business.name);
  // An attachment of the wrong type is refused at once; a PDF is taken, and named.
  const input = "#f__attachments__premises";
  await page.setInputFiles(input, docx);
  await page.locator("#f__attachments__premises-error").waitFor();
  assert.match(await page.textContent("#f__attachments__premises-error"), /hop-dong\.docx.*\.pdf/);
  assert.equal(await page.getAttribute(input, "aria-invalid"), "true");
  await page.setInputFiles(input, good);
  await page.waitForFunction(() => !document.querySelector("#f__attachments__premises-error"));
  assert.match(await page.textContent("#f__attachments__premises-status"), /hop-dong-thue-nha\.pdf \(120 KB\)/);
  assert.equal(await page.evaluate(() => window.__form.data().attachments.premises.size), 120_000);
  // Taken off again: the data forgets it, the input is empty and has the focus; picked again.
  await page.locator("#own [data-ef-clear='/attachments/premises']").click();
  await page.waitForFunction(() => document.activeElement?.id === "f__attachments__premises");
  assert.equal(await page.evaluate(() => window.__form.data().attachments?.premises), undefined);
  assert.equal(await page.evaluate(() => document.querySelector("#f__attachments__premises").files.length), 0);
  assert.match(await page.textContent("#f__attachments__premises-status"), /No file chosen|Chưa chọn tệp/);
  assert.equal(await page.locator("#own [data-ef-clear='/attachments/premises']").count(), 0);
  await page.setInputFiles(input, good);
  await page.locator("#own [data-ef-clear='/attachments/premises']").waitFor();
  assert.deepEqual(await axe(page, "#own"), []);
  assert.deepEqual(page.problems, []);
  await page.screenshot({ path: shot("render-form-light-pages"), fullPage: true });
  await page.close();
});

test("the light runtime shows definition texts and typed values as text, never as HTML", async () => {
  const page = await openPage(browser);
  let dialogs = 0;
  page.on("dialog", (d) => { dialogs += 1; d.dismiss(); });
  await page.goto(`${hostUrl}/own.html?form=payload`);
  await page.locator("#own h1.ef-title").waitFor();
  assert.match(await page.textContent("#own h1"), /<img src=x onerror=/);
  assert.match(await page.textContent("#own label[for=f__a]"), /<script>document.title="pwned"<\/script>/);
  // A value typed, drawn again (an error shown on leaving, the other language): still text.
  await page.fill("#f__a", "<img src=x onerror=alert(1)>");
  await page.keyboard.press("Tab");
  await page.click("#own [data-ef-lang=en]");
  assert.equal(await page.inputValue("#f__a"), "<img src=x onerror=alert(1)>");
  assert.equal(await page.locator("#own img, #own script, #own b, #own i").count(), 0);
  await page.waitForTimeout(200);
  assert.notEqual(await page.title(), "pwned");
  assert.equal(dialogs, 0);
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  await page.close();
});

test("renderForm() draws a definition object into a page's own element", async () => {
  const page = await openPage(browser, { width: 1100, height: 1400 });
  await page.goto(`${hostUrl}/host.html`);
  const definition = JSON.parse(readFileSync(new globalThis.URL("../../schemas/forms/ct01.json", import.meta.url)));
  const result = await page.evaluate(async (def) => {
    const { renderForm } = await import("/eform/eform.js");
    const div = document.createElement("div");
    div.id = "own";
    document.body.append(div);
    const ready = new Promise((ok) => div.addEventListener("eform:ready", (e) => ok(e.detail)));
    const form = renderForm(div, def, { lang: "en" });
    // Drawn at once, in the page itself (no shadow root).
    const drawn = !!document.querySelector("#own #f__applicant__fullName");
    form.set_data({ applicant: { fullName: "Nguyễn Văn An" } });
    return { drawn, ready: await ready, value: document.querySelector("#own #f__applicant__fullName").value, label: document.querySelector("#own label[for=f__applicant__fullName]").textContent };
  }, definition);
  assert.equal(result.drawn, true);
  assert.deepEqual(result.ready, { formId: "ct01", version: 1 });
  assert.equal(result.value, "Nguyễn Văn An");
  assert.ok(result.label.startsWith("Full name"), result.label);
  // A definition with errors, given or at a src the portal refuses: the runtime says which
  // (pointer and message), and tells the host by eform:error.
  const broken = await page.evaluate(async () => {
    const { renderForm } = await import("/eform/eform.js");
    const shown = async (el, start) => {
      document.body.append(el);
      const failed = new Promise((ok) => el.addEventListener("eform:error", (e) => ok(e.detail)));
      start?.();
      const detail = await failed;
      const root = el.shadowRoot ?? el;
      await new Promise((ok) => setTimeout(ok, 50));
      return { code: detail.code, text: root.querySelector("[role=alert]")?.textContent };
    };
    const div = document.createElement("div");
    const given = await shown(div, () => renderForm(div, { id: "x", version: 1 }, { lang: "en" }));
    const element = document.createElement("e-form");
    element.setAttribute("src", "/forms/broken");
    element.setAttribute("lang", "en");
    const refused = await shown(element);
    return { given, refused };
  });
  assert.equal(broken.given.code, "definition-invalid");
  assert.equal(broken.given.text, 'This form has errors and cannot be used yet: /dataSchema: Missing required property "dataSchema".');
  assert.equal(broken.refused.code, "definition-invalid");
  assert.match(broken.refused.text, /cannot be used yet: \/dataSchema\/properties\/applicant\/required: The required data "\/applicant\/dateOfBirth" is not bound/);
  await page.close();
});
