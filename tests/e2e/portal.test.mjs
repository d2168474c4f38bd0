// What the portal answers for forms that are missing or broken: a clear 4xx, and a page that
// explains instead of staying blank.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { URL, launch, openPage, shot } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("a broken definition answers 422 with every diagnostic", async () => {
  const res = await fetch(`${URL}/forms/broken`);
  assert.equal(res.status, 422);
  const body = await res.json();
  const pointers = body.diagnostics.map((d) => d.pointer);
  // The unknown widget, the misspelt pointer, and what follows from it: the date of birth,
  // required, is no longer bound to any field.
  assert.deepEqual(pointers, [
    "/dataSchema/properties/applicant/required",
    "/pages/0/sections/1/items/0/widget",
    "/pages/0/sections/1/items/1/pointer",
  ]);
  assert.ok(body.diagnostics.every((d) => d.message.vi && d.message.en));
});

test("the page of a broken form explains the problem", async () => {
  const page = await openPage(browser);
  const res = await page.goto(`${URL}/f/broken`);
  assert.equal(res.status(), 422);
  const panel = page.locator(".ef-panel--warn");
  await panel.waitFor();
  assert.match(await panel.textContent(), /Biểu mẫu này đang có lỗi/);
  assert.match(await panel.textContent(), /\/pages\/0\/sections\/1\/items\/0\/widget/);
  await page.screenshot({ path: shot("broken-form") });
  await page.close();
});

test("an unknown form answers 404 and says so", async () => {
  assert.equal((await fetch(`${URL}/forms/no-such-form`)).status, 404);
  const page = await openPage(browser);
  const res = await page.goto(`${URL}/f/no-such-form`);
  assert.equal(res.status(), 404);
  await page.locator(".ef-panel--warn").waitFor();
  assert.match(await page.textContent("main"), /Không tìm thấy biểu mẫu/);
  await page.close();
});

test("the home page lists the forms and the builder loads", async () => {
  const page = await openPage(browser);
  // Every frame once the list is on screen: is it still?
  await page.addInitScript(() => {
    window.__gaps = 0;
    let seen = false;
    const frame = () => {
      const shown = [...document.querySelectorAll("main a[href='/f/ct01']")].some((a) => a.getClientRects().length > 0);
      if (shown) seen = true;
      else if (seen) window.__gaps += 1;
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
  await page.goto(`${URL}/`);
  await page.locator("a[href='/f/ct01']").first().waitFor();
  // The list the portal drew gives way to the app's, with no frame between without one: one
  // page, one heading, one list.
  await page.waitForFunction(() => !document.querySelector("[data-ef-drawn-page]") && document.querySelector("main#main .ef-list"));
  assert.equal(await page.evaluate(() => window.__gaps), 0, "the list never left the screen");
  assert.equal(await page.locator("[data-ef-app][hidden]").count(), 0);
  assert.equal(await page.locator("main").count(), 1);
  assert.equal(await page.locator("h1").count(), 1);
  assert.equal(await page.locator("a[href='/f/ct01']").count(), 1);
  await page.goto(`${URL}/builder/`);
  await page.locator("h1").waitFor();
  assert.match(await page.textContent("h1"), /Trình thiết kế biểu mẫu/);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("the language chosen on a form page is the home page's, drawn by the portal and then by the app", async () => {
  const page = await openPage(browser);
  await page.goto(`${URL}/f/ct01`);
  await page.click("button[data-ef-lang=en]");
  await page.waitForFunction(() => document.documentElement.lang === "en");
  await page.goto(`${URL}/`);
  assert.equal(await page.textContent("h1"), "E-forms");
  await page.waitForFunction(() => !document.querySelector("[data-ef-drawn-page]") && document.querySelector("main#main .ef-list"));
  assert.equal(await page.textContent("h1"), "E-forms");
  assert.equal(await page.getAttribute("html", "lang"), "en");
  assert.equal(await page.title(), "eform — E-forms");
  // Switched in place by the app: its title follows.
  await page.click("button.ef-lang__button[lang=vi]");
  await page.waitForFunction(() => document.documentElement.lang === "vi");
  assert.equal(await page.title(), "eform — Biểu mẫu điện tử");
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("pages carry a strict CSP and still run", async () => {
  const res = await fetch(`${URL}/f/ct01`);
  const csp = res.headers.get("content-security-policy");
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  const html = await res.text();
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, "no inline script in the page");
});

test("definition texts are shown as text, never run as HTML", async () => {
  const page = await openPage(browser);
  let dialogs = 0;
  page.on("dialog", (d) => { dialogs += 1; d.dismiss(); });
  await page.goto(`${URL}/f/payload`);
  await page.locator("h1.ef-title").waitFor();
  assert.match(await page.textContent("h1"), /<img src=x onerror=/);
  assert.equal(await page.locator("main img, main script, main b, main i").count(), 0);
  assert.match(await page.textContent("label[for=f__a]"), /<script>document.title="pwned"<\/script>/);
  await page.waitForTimeout(200);
  assert.notEqual(await page.title(), "pwned");
  assert.equal(dialogs, 0);
  await page.screenshot({ path: shot("payload-as-text") });
  await page.close();
});
