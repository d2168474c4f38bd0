// The form before the runtime (issue 21): the portal draws the form's page, so a citizen on a
// slow phone sees it and types into it while the runtime's code is still on its way; when it
// arrives it takes that page over in place without losing anything typed, chosen or sent, nor
// the focus.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { URL, launch, openPage, shot, axe, tookOver, holdWasm, signIn } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// A page whose app code (the wasm) is held back until `release()`.
async function heldBack(opts) {
  const page = await openPage(browser, opts);
  return { page, release: await holdWasm(page) };
}

const example = JSON.parse(readFileSync(new globalThis.URL("../../schemas/forms/ct01.example.json", import.meta.url)));

test("CT01 typed into before the runtime arrives: it takes over with every value, the focus and the caret (360 px)", async () => {
  const { page, release } = await heldBack({ width: 360, height: 800 });
  await page.goto(`${URL}/f/ct01`, { takeover: false });
  // The portal's form is on screen and can be filled in; the app's elements are not shown.
  await page.locator("#ef-ssr form.ef-form").waitFor();
  assert.equal(await page.locator("#ef-ssr[data-ef-takeover]").count(), 1);
  await page.screenshot({ path: shot("takeover-before") });
  await page.evaluate(() => { window.drawnForm = document.querySelector("#ef-ssr form"); });
  await page.fill("#f__receivingAgency", example.receivingAgency);
  await page.fill("#f__applicant__fullName", "Nguyễn Văn Ân");
  await page.selectOption("#f__householdHead__relationship", example.householdHead.relationship);
  await page.click("#f__request");
  await page.keyboard.type("Đăng ký thường trú");
  // The caret inside the text, not at its end: it stays there.
  for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowLeft");
  assert.equal(await page.locator("#ef-ssr").count(), 1, "still the portal's form");

  release();
  await tookOver(page);
  // Taken over in place: the form on screen is the one the portal drew, not a copy.
  assert.ok(await page.evaluate(() => document.querySelector("form.ef-form") === window.drawnForm));
  assert.equal(await page.inputValue("#f__receivingAgency"), example.receivingAgency);
  assert.equal(await page.inputValue("#f__applicant__fullName"), "Nguyễn Văn Ân");
  assert.equal(await page.inputValue("#f__householdHead__relationship"), example.householdHead.relationship);
  assert.equal(await page.inputValue("#f__request"), "Đăng ký thường trú");
  const focus = await page.evaluate(() => [document.activeElement?.id, document.activeElement?.selectionStart]);
  assert.deepEqual(focus, ["f__request", "Đăng ký thường trú".length - 3]);
  // Typing goes on where it was, into the app's form, and the app checks it.
  await page.keyboard.type("X");
  assert.equal(await page.inputValue("#f__request"), "Đăng ký thường Xtrú");
  await page.click(".ef-actions button[type=submit]:not([name])");
  await page.locator(".ef-summary").waitFor();
  const listed = await page.locator(".ef-summary li a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  assert.ok(!listed.includes("#f__receivingAgency") && !listed.includes("#f__applicant__fullName"), JSON.stringify(listed));
  assert.ok(listed.includes("#f__applicant__idNumber"), JSON.stringify(listed));
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: shot("takeover-after") });
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test("a long form sent to the portal before the runtime arrives: it takes over on the page the portal showed, with what was sent", async () => {
  const { page, release } = await heldBack({});
  await page.goto(`${URL}/f/judicial-record?lang=en`, { takeover: false });
  await page.locator("#ef-ssr form.ef-form").waitFor();
  // Continue, answered by the portal: the same page with its errors and the name kept.
  await page.fill("#f__applicant__fullName", "Trần Thị Bình");
  await page.click("#ef-ssr button:has-text('Continue')");
  await page.locator("#ef-ssr .ef-summary").waitFor();
  assert.equal(await page.inputValue("#f__applicant__fullName"), "Trần Thị Bình");
  const before = await page.locator("#ef-ssr .ef-summary li").allTextContents();
  release();
  await tookOver(page);
  assert.equal(await page.inputValue("#f__applicant__fullName"), "Trần Thị Bình");
  assert.match(await page.textContent(".ef-page:not(.ef-page--off) .ef-progress"), /Step 1 of 3/);
  // The errors the portal showed are still shown, by the app now.
  assert.deepEqual(await page.locator(".ef-summary li").allTextContents(), before);
  assert.equal(await page.getAttribute("#f__applicant__dateOfBirth", "aria-invalid"), "true");
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test("a draft in this browser comes back under the portal's form: only what was changed there replaces it", async () => {
  const { page, release } = await heldBack({ width: 360, height: 800 });
  await page.goto(`${URL}/healthz`);
  await page.evaluate((d) => localStorage.setItem("eform.draft.ct01.v1", JSON.stringify({ savedAt: Date.now(), data: d })), example);
  await page.goto(`${URL}/f/ct01`, { takeover: false });
  await page.locator("#ef-ssr form.ef-form").waitFor();
  // The portal draws the form empty (the draft is in this browser); one field typed there.
  assert.equal(await page.inputValue("#f__applicant__fullName"), "");
  await page.fill("#f__applicant__phone", "0987654321");
  release();
  await tookOver(page);
  await page.locator("[data-testid=draft-restored]").waitFor();
  assert.equal(await page.inputValue("#f__applicant__phone"), "0987654321");
  assert.equal(await page.inputValue("#f__applicant__fullName"), example.applicant.fullName);
  assert.equal(await page.inputValue("#f__householdHead__relationship"), example.householdHead.relationship);
  assert.equal(await page.inputValue("#f__request"), example.request);
  // Nothing left to correct: the draft's choices (drop-downs the portal drew unchosen) stand.
  await page.click(".ef-actions button[type=submit]:not([name])");
  await page.locator("[data-testid=sign-in-needed], .ef-summary").first().waitFor();
  assert.equal(await page.locator(".ef-summary").count(), 0, await page.locator(".ef-summary").textContent().catch(() => ""));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test("the language chosen on a form page is the one the portal draws the next form in", async () => {
  const { page, release } = await heldBack({});
  release();
  await page.goto(`${URL}/f/ct01?lang=en`);
  assert.equal(await page.getAttribute("html", "lang"), "en");
  // Held back again: what shows before the app is the portal's page, already in English.
  const again = await holdWasm(page);
  await page.goto(`${URL}/f/judicial-record`, { takeover: false });
  await page.locator("#ef-ssr form.ef-form").waitFor();
  assert.equal(await page.getAttribute("#ef-ssr .ef-site", "lang"), "en");
  assert.match(await page.textContent("#ef-ssr .ef-page:not(.ef-page--off) .ef-progress"), /^Step 1 of 3$/);
  again();
  await tookOver(page);
  assert.match(await page.textContent(".ef-page:not(.ef-page--off) .ef-progress"), /^Step 1 of 3$/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

/// The runtime has the page: what is typed is checked and kept as a draft; nothing went wrong.
async function typedAndKept(page) {
  await page.fill("#f__request", "x");
  await page.waitForFunction(() => Object.keys(localStorage).some((k) => k.startsWith("eform.draft.ct01")));
  assert.deepEqual(page.problems, []);
  await page.close();
}

test("the form page asks for the runtime's glue and its wasm together: the wasm does not wait for the glue", async () => {
  const page = await openPage(browser);
  let wasmAsked;
  const asked = new Promise((r) => { wasmAsked = r; });
  // A visitor nobody signed in gets the build without the services (it has nothing to ask them).
  const services = [];
  page.on("request", (r) => {
    if (/\/form-bind-[0-9a-f]{16}_bg\.wasm$/.test(r.url())) wasmAsked();
    if (/\/form-bind-services-/.test(r.url())) services.push(r.url());
  });
  // The glue is held back until the wasm has been asked for (at most 10 s): a page that asks for
  // the wasm only once the glue is here waits out the 10 s, and the check below fails.
  let before = false;
  await page.route(/\/embed\/form-bind-[0-9a-f]{16}\.js$/, async (route) => {
    before = await Promise.race([asked.then(() => true), new Promise((r) => setTimeout(() => r(false), 10000))]);
    await route.continue();
  });
  await page.goto(`${URL}/f/ct01`);
  assert.ok(before, "the wasm was asked for before the glue came");
  await page.fill("#f__request", "x");
  assert.deepEqual(services, [], "no build with the services for a visitor");
  await typedAndKept(page);
});

test("a browser that never reports the first paint still gets the runtime (after 3 s at most)", async () => {
  const page = await openPage(browser);
  // No `first-contentful-paint` entry, and an observer of paints that never calls back (a tab
  // hidden before its first paint behaves so).
  await page.addInitScript(() => {
    const entries = performance.getEntriesByName.bind(performance);
    performance.getEntriesByName = (name, type) => (name === "first-contentful-paint" ? [] : entries(name, type));
    window.PerformanceObserver = class { static supportedEntryTypes = ["paint"]; observe() {} disconnect() {} };
  });
  await page.goto(`${URL}/f/ct01`);
  await typedAndKept(page);
});

test("the form page is a host of the light runtime: form-bind with the portal's services, no Leptos; its header switches language in place and signs out", async () => {
  const page = await openPage(browser);
  const fetched = [];
  page.on("request", (r) => fetched.push(new globalThis.URL(r.url()).pathname));
  await signIn(page, "citizen-binh", "/f/ct01");
  await page.locator("[data-testid=signed-in-as]").waitFor();
  assert.deepEqual(fetched.filter((p) => p.startsWith("/app/") || p.startsWith("/account/")), []);
  // Prefilled from the store by the runtime: the verified name is locked.
  await page.waitForFunction(() => document.querySelector("#f__applicant__fullName")?.readOnly);
  // Its wasm came once; the definition too, asked for by the page before the wasm (the
  // runtime takes that answer).
  const wasm = fetched.filter((p) => /^\/embed\/form-bind-services-[0-9a-f]+_bg\.wasm$/.test(p));
  assert.equal(wasm.length, 1, fetched.join(" "));
  assert.equal(fetched.filter((p) => p === "/forms/ct01").length, 1, fetched.join(" "));
  assert.ok(fetched.indexOf("/forms/ct01") < fetched.indexOf(wasm[0]), fetched.join(" "));
  assert.equal(await page.getAttribute(".ef-account__link[href='/dossiers']", "href"), "/dossiers");
  await page.fill("#f__request", "Đăng ký tạm trú");
  await page.waitForFunction(() => Object.keys(localStorage).some((k) => k.startsWith("eform.draft.ct01.")));
  // The language in place: the header and the form, the title, and the choice kept for the
  // next page the portal draws.
  await page.click("button[lang=en]");
  await page.waitForFunction(() => document.querySelector("h1.ef-title").textContent.includes("Residence information change"));
  assert.equal(await page.textContent(".ef-account__link[href='/dossiers']"), "My dossiers");
  assert.match(await page.title(), /^Residence information change/);
  assert.equal(await page.getAttribute("html", "lang"), "en");
  assert.equal(await page.inputValue("#f__request"), "Đăng ký tạm trú");
  const cookies = await page.context().cookies();
  assert.equal(cookies.find((c) => c.name === "eform-lang")?.value, "en");
  assert.deepEqual(await axe(page), []);
  // Signing out from the form's header: this browser forgets the citizen's drafts.
  await page.click("button:has-text('Sign out')");
  await page.waitForURL(`${URL}/`);
  const after = await page.evaluate(async () => ({
    user: (await (await fetch("/api/v1/session")).json()).user,
    drafts: Object.keys(localStorage).filter((k) => k.startsWith("eform.draft.")),
  }));
  assert.deepEqual(after, { user: null, drafts: [] });
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
