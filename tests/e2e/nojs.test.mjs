// Without JavaScript (issue 21, item 3): the portal draws the form itself (form-html) in the
// page, the browser posts it back, the portal answers with the same page — the next page of a
// long form, table rows added, or the error summary and inline errors with everything entered
// kept — and files the dossier of a form that needs no signature, showing its receipt. A form
// that must be signed says signing needs JavaScript.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { URL, launch, openPage, signIn, shot, axe } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// axe-core on a page shown without JavaScript: axe itself needs scripts (its promises never
/// settle where scripts are off), so the page's markup — the form the portal drew, as that
/// browser shows it, scripts removed — is checked in a second page that runs them, with the same styles.
async function axeWithoutScript(page) {
  const html = (await page.content())
    .replace(/<script[^>]*>[\s\S]*?<\/script>/g, "")
    .replace(/<\/?noscript>/g, "");
  const check = await openPage(browser, { width: 360, height: 800 });
  // Written into a page of the portal's origin, so that its stylesheet loads as it did.
  await check.goto(`${URL}/healthz`);
  await check.setContent(html, { waitUntil: "load" });
  const violations = await axe(check);
  await check.context().close();
  return violations;
}

const example = JSON.parse(readFileSync(new globalThis.URL("../../schemas/forms/ct01.example.json", import.meta.url)));
const shown = (iso) => iso.split("-").reverse().join("/");

test("CT01 with JavaScript off: prefilled and locked from the data store, errors from the server, a row added, corrected, submitted, the receipt shown (360 px)", async () => {
  const page = await openPage(browser, { width: 360, height: 800, javaScript: false });
  await signIn(page, "citizen-an", "/f/ct01");
  await page.locator("form.ef-form h1.ef-title").waitFor();
  assert.equal(await page.locator("script:not([src])").count(), 0, "no inline script");
  // Filled from the data store on the portal when asked (a browser running scripts never shows
  // this page, and its app reads the store itself): the identity locked, saying where it came from.
  assert.equal(await page.inputValue("#f__applicant__fullName"), "");
  await page.click("[data-testid=nojs-prefill]");
  const a = example.applicant;
  assert.equal(await page.inputValue("#f__applicant__fullName"), a.fullName);
  assert.equal(await page.getAttribute("#f__applicant__fullName", "readonly"), "");
  assert.match(await page.textContent("#f__applicant__fullName-help"), /Cơ sở dữ liệu quốc gia về dân cư — đã xác thực/);
  // Sent with the rest empty: the server lists what is missing, each linked, each marked.
  await page.click("button.ef-button:has-text('Nộp hồ sơ')");
  await page.locator(".ef-summary").waitFor();
  const links = await page.locator(".ef-summary li a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  assert.ok(links.length >= 2, JSON.stringify(links));
  for (const href of links) assert.equal(await page.locator(href).count(), 1, href);
  assert.match(await page.textContent("#f__receivingAgency-error"), /cơ quan đăng ký cư trú/);
  assert.equal(await page.getAttribute("#f__receivingAgency", "aria-invalid"), "true");
  assert.equal(await page.inputValue("#f__applicant__fullName"), a.fullName, "the locked name stays");
  assert.deepEqual(await axeWithoutScript(page), []);
  await page.screenshot({ path: shot("nojs-errors"), fullPage: true });
  await page.fill("[name='/receivingAgency']", example.receivingAgency);
  await page.fill("[name='/applicant/phone']", a.phone);
  await page.fill("[name='/applicant/email']", a.email);
  await page.fill("[name='/householdHead/fullName']", example.householdHead.fullName);
  await page.selectOption("[name='/householdHead/relationship']", example.householdHead.relationship);
  await page.fill("[name='/householdHead/idNumber']", example.householdHead.idNumber);
  await page.fill("[name='/request']", example.request);
  // A row for the member: the page comes back with it, and with everything typed.
  const before = await page.locator("[name^='/members/'][name$='/fullName']").count();
  await page.click("button[value='add:/members']");
  const r = `/members/${before}`;
  await page.locator(`[name='${r}/fullName']`).waitFor();
  assert.equal(await page.inputValue("[name='/request']"), example.request);
  assert.equal(await page.locator(".ef-summary").count(), 0, "adding a row shows no errors");
  const m = example.members[0];
  await page.fill(`[name='${r}/fullName']`, m.fullName);
  await page.fill(`[name='${r}/dateOfBirth']`, "31/02/2018");
  await page.selectOption(`[name='${r}/sex']`, m.sex);
  await page.fill(`[name='${r}/idNumber']`, m.idNumber);
  await page.selectOption(`[name='${r}/relationship']`, m.relationship);
  await page.click("button.ef-button:has-text('Nộp hồ sơ')");
  await page.locator(".ef-summary").waitFor();
  const left = await page.locator(".ef-summary li").allTextContents();
  assert.equal(left.length, 1, JSON.stringify(left));
  assert.match(left[0], /Nhập một ngày có thật theo dạng ngày\/tháng\/năm/);
  assert.equal(await page.inputValue(`[name='${r}/fullName']`), m.fullName, "kept");
  // Corrected and sent: the dossier is filed and its receipt shown.
  await page.fill(`[name='${r}/dateOfBirth']`, shown(m.dateOfBirth));
  await page.click("button.ef-button:has-text('Nộp hồ sơ')");
  await page.locator("[data-testid=received]").waitFor();
  const code = (await page.textContent("[data-testid=dossier-code]")).trim();
  assert.match(code, /^[\w.]+-\d{6}-\d{4}$/);
  assert.deepEqual(await axeWithoutScript(page), []);
  await page.screenshot({ path: shot("nojs-received"), fullPage: true });
  // What was filed is what was typed.
  const dossier = await (await page.request.get(`${URL}/api/v1/dossiers/${code}`)).json();
  const filed = dossier.versionList.at(-1).data;
  assert.deepEqual(filed.members.at(-1), m);
  assert.equal(filed.applicant.dateOfBirth, a.dateOfBirth);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test("a long form without JavaScript goes page by page: Continue checks the page left, Back does not; a form to be signed says signing needs JavaScript", async () => {
  const page = await openPage(browser, { javaScript: false });
  await page.goto(`${URL}/f/judicial-record?lang=en`);
  await page.locator("form.ef-form").waitFor();
  assert.match(await page.textContent(".ef-page:not(.ef-page--off) .ef-progress"), /^Step 1 of 3$/);
  await page.click("button:has-text('Continue')");
  await page.locator(".ef-summary").waitFor();
  assert.match(await page.textContent(".ef-page:not(.ef-page--off) .ef-progress"), /^Step 1 of 3$/);
  const summary = await page.locator(".ef-summary li").allTextContents();
  assert.ok(summary.some((s) => /full name/i.test(s)), JSON.stringify(summary));
  assert.ok(!summary.some((s) => /period|history/i.test(s)), "only the first page's errors");
  // Enter in a field does what Continue does (not Back, not a table's buttons).
  await page.fill("#f__applicant__fullName", "Trần Thị Bình");
  await page.press("#f__applicant__fullName", "Enter");
  await page.locator(".ef-summary").waitFor();
  assert.match(await page.textContent(".ef-page:not(.ef-page--off) .ef-progress"), /^Step 1 of 3$/);
  assert.equal(await page.inputValue("#f__applicant__fullName"), "Trần Thị Bình");
  const targets = await page.locator(".ef-summary li a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  assert.ok(!targets.includes("#f__applicant__fullName"), JSON.stringify(targets));
  await page.context().close();

  const signed = await openPage(browser, { javaScript: false });
  await signed.goto(`${URL}/f/marriage-registration?lang=en`);
  await signed.locator("[data-testid=nojs-notice]").waitFor();
  assert.match(await signed.textContent("[data-testid=nojs-notice]"), /signing needs JavaScript/);
  await signed.context().close();
});

test("without JavaScript the home page lists the forms (titles as text) and leads to them; the account pages say they need JavaScript", async () => {
  const page = await openPage(browser, { width: 360, height: 800, javaScript: false });
  await page.goto(`${URL}/`);
  assert.equal(await page.textContent("h1"), "Biểu mẫu điện tử");
  assert.equal(await page.getAttribute("html", "lang"), "vi");
  // A title written as markup is shown as text.
  assert.match(await page.textContent("a[href='/f/payload']"), /<img src=x onerror=/);
  assert.equal(await page.locator("main img, main script").count(), 0);
  assert.deepEqual(await axeWithoutScript(page), []);
  await page.screenshot({ path: shot("nojs-home"), fullPage: true });
  // In English by its link, kept for the next page.
  await page.click("a.ef-lang__button[lang=en]");
  assert.equal(await page.textContent("h1"), "E-forms");
  assert.equal(await page.getAttribute("html", "lang"), "en");
  assert.equal(await page.title(), "eform — E-forms");
  await page.click("a[href='/f/ct01']");
  await page.locator("form.ef-form h1.ef-title").waitFor();
  assert.match(await page.textContent("form.ef-form h1.ef-title"), /Residence information change declaration/);
  // The account pages are the app's: without it, they say so, and lead back to the forms.
  await signIn(page, "citizen-an", "/dossiers");
  const notice = page.locator("[data-testid=needs-script]");
  assert.match(await notice.textContent(), /This page needs JavaScript/);
  assert.equal(await page.locator("[data-testid=signed-in-as]").count(), 1);
  assert.deepEqual(await axeWithoutScript(page), []);
  await notice.locator("a[href='/']").click();
  assert.equal(await page.textContent("h1"), "E-forms");
  await page.context().close();
});
