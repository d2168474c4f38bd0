// The real forms in a real browser: each renders from its definition with every input
// labelled and no accessibility violation; the address picker offers the 2025 administrative
// units (province, then its communes); a file attachment is checked for type and size before
// anything is sent.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { URL, OUTPUT, launch, openPage, shot, axe } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function open(id, opts) {
  const page = await openPage(browser, opts);
  const res = await page.goto(`${URL}/f/${id}`);
  assert.equal(res.status(), 200);
  await page.waitForSelector("h1.ef-title");
  return page;
}

for (const id of ["birth-registration", "household-business", "pit-finalisation"]) {
  test(`${id}: renders, every input labelled, no axe violation, errors summarised`, async () => {
    const page = await open(id);
    const unlabelled = await page.$$eval("input:not([type=hidden]), select, textarea", (els) =>
      els.filter((el) => !(el.labels?.length && el.labels[0].textContent.trim()) && !el.getAttribute("aria-label")).map((el) => el.id));
    assert.deepEqual(unlabelled, []);
    assert.deepEqual(await axe(page), []);
    await page.screenshot({ path: shot(`${id}-empty`), fullPage: true });
    // A long form shows one page at a time: "Continue" checks the page and lists its errors.
    assert.equal(await page.locator(".ef-actions button[type=submit]:not([name])").count(), 0, "submit waits for the last page");
    assert.match(await page.textContent(".ef-page:not(.ef-page--off) .ef-progress"), /^Bước 1 trên \d+$/);
    await page.click("button:has-text('Tiếp tục')");
    await page.locator(".ef-summary").waitFor();
    assert.match(await page.textContent(".ef-page:not(.ef-page--off) .ef-progress"), /^Bước 1 /, "errors keep the page");
    const links = await page.locator(".ef-summary li a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    assert.ok(links.length > 3, JSON.stringify(links));
    // Every summary entry points at an element of the page.
    for (const href of links) {
      assert.equal(await page.locator(href).count(), 1, `${href} has no element`);
    }
    assert.deepEqual(await axe(page), []);
    assert.deepEqual(page.problems, []);
    await page.close();
  });
}

test("the address picker lists the province's communes and forgets a commune of another province; a province's communes come when it is chosen", async () => {
  const page = await openPage(browser);
  const units = [];
  const all = [];
  page.on("request", (r) => { const p = new globalThis.URL(r.url()).pathname; all.push(p); if (p.startsWith("/refdata/")) units.push(p); });
  await page.goto(`${URL}/f/household-business`);
  await page.waitForSelector("h1.ef-title");
  // Asked for by the page beside the runtime's code (the portal marks a form with an address),
  // and that answer taken by the runtime: once, before the wasm.
  assert.ok(all.indexOf("/refdata/provinces.json") < all.findIndex((p) => p.endsWith("_bg.wasm")), all.join(" "));
  const province = "#f__owner__contactAddress__province";
  const commune = "#f__owner__contactAddress__commune";
  assert.equal(await page.locator(`${province} option`).count(), 35, "34 provinces and the prompt");
  assert.equal(await page.isDisabled(commune), true, "no commune before a province");
  // The runtime loaded the provinces alone, not the 3,321 communes.
  assert.deepEqual(units, ["/refdata/provinces.json"]);
  await page.selectOption(province, "01");
  await page.waitForFunction((sel) => document.querySelector(sel).options.length > 100, commune);
  assert.deepEqual(units, ["/refdata/provinces.json", "/refdata/communes/01.json"]);
  const names = await page.locator(`${commune} option`).allTextContents();
  assert.ok(names.includes("Phường Ba Đình"), names.slice(0, 5).join(", "));
  assert.ok(!names.includes("Phường Sài Gòn"));
  await page.selectOption(commune, "00004");
  await page.fill("#f__owner__contactAddress__street", "Số 7 phố Ngọc Hà");
  // Another province: the commune chosen no longer fits and is cleared.
  await page.selectOption(province, "79");
  await page.waitForFunction((sel) => [...document.querySelector(sel).options].some((o) => o.textContent === "Phường Sài Gòn"), commune);
  assert.equal(await page.inputValue(commune), "");
  await page.selectOption(commune, { label: "Phường Sài Gòn" });
  // English names follow the language switch, and the choices stay.
  await page.click("button[lang=en]");
  await page.waitForFunction((sel) => document.querySelector(sel).selectedOptions[0]?.textContent === "Sai Gon Ward", commune);
  assert.equal(await page.inputValue(province), "79");
  assert.equal(await page.textContent(`label[for=${province.slice(1)}]`), "Province or city");
  await page.locator("#f__owner__contactAddress").screenshot({ path: shot("household-business-address") });
  // A draft naming a province: its communes come as the form opens, the commune shown by name.
  await page.waitForFunction(() => Object.keys(localStorage).some((k) => k.startsWith("eform.draft.household-business")));
  units.length = 0;
  await page.reload();
  await page.waitForFunction((sel) => document.querySelector(sel).selectedOptions[0]?.textContent === "Sai Gon Ward", commune);
  assert.ok(!units.includes("/refdata/admin-units.json"), units.join(" "));
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("a province's communes that cannot be fetched say so, keep what was typed, and come with 'Try again'", async () => {
  const page = await openPage(browser);
  let release;
  const held = new Promise((ok) => { release = ok; });
  let asked = 0;
  await page.route("**/refdata/communes/01.json", async (route) => {
    asked += 1;
    if (asked === 1) {
      await held;
      await route.abort("internetdisconnected");
    } else {
      await route.continue();
    }
  });
  await page.goto(`${URL}/f/household-business?lang=en`);
  await page.waitForSelector("h1.ef-title");
  const province = "#f__owner__contactAddress__province";
  const commune = "#f__owner__contactAddress__commune";
  const hint = `${commune}-hint`;
  await page.fill("#f__owner__contactAddress__street", "7 Ngoc Ha Street");
  await page.selectOption(province, "01");
  // On their way: the commune list says so.
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.includes("Loading the communes"), hint);
  assert.equal(await page.isDisabled(commune), true);
  assert.match(await page.getAttribute(commune, "aria-describedby"), /commune-hint/);
  // Not come: the field says so, with "Try again"; nothing typed is lost.
  release();
  await page.locator(`${hint}[role=alert] button:has-text('Try again')`).waitFor();
  assert.match(await page.textContent(hint), /could not be loaded\. What you entered is kept\./);
  assert.equal(await page.inputValue("#f__owner__contactAddress__street"), "7 Ngoc Ha Street");
  assert.equal(await page.inputValue(province), "01");
  assert.deepEqual(await axe(page), []);
  await page.locator("#f__owner__contactAddress").screenshot({ path: shot("household-business-communes-failed") });
  // Try again, by keyboard: they come, the focus waits on the province's list.
  await page.focus(`${hint} button`);
  await page.keyboard.press("Enter");
  await page.waitForFunction((sel) => document.querySelector(sel).options.length > 100, commune);
  assert.equal(asked, 2);
  assert.equal(await page.evaluate(() => document.activeElement?.id), province.slice(1));
  assert.equal(await page.locator(hint).count(), 0);
  assert.equal(await page.isDisabled(commune), false);
  await page.selectOption(commune, "00004");
  assert.equal(await page.inputValue("#f__owner__contactAddress__street"), "7 Ngoc Ha Street");
  await page.close();
});

test("a file of the wrong type or too big is refused on the spot, with a message; a good one shows its name and size", async () => {
  const dir = path.join(OUTPUT, "files");
  mkdirSync(dir, { recursive: true });
  const docx = path.join(dir, "hop-dong.docx");
  writeFileSync(docx, "not really a document");
  const big = path.join(dir, "hop-dong-lon.pdf");
  writeFileSync(big, Buffer.alloc(5_200_000, 1));
  const good = path.join(dir, "hop-dong-thue-nha.pdf");
  writeFileSync(good, Buffer.alloc(120_000, 1));
  // The attachments are on the last page: start from a draft of the rest of the example.
  const page = await openPage(browser);
  const data = structuredClone(hkdExample);
  delete data.attachments;
  await page.goto(`${URL}/`);
  await page.evaluate((d) => localStorage.setItem("eform.draft.household-business.v1", JSON.stringify({ savedAt: Date.now(), data: d })), data);
  await page.goto(`${URL}/f/household-business`);
  await page.locator("[data-testid=draft-restored]").waitFor();
  await page.click("button:has-text('Tiếp tục')");
  await page.click("button:has-text('Tiếp tục')");
  await page.waitForFunction(() => document.activeElement?.id === "ef-page-2");
  const input = "#f__attachments__premises";
  await page.setInputFiles(input, docx);
  await page.locator("#f__attachments__premises-error").waitFor();
  assert.match(await page.textContent("#f__attachments__premises-error"), /hop-dong\.docx.*\.pdf/);
  assert.equal(await page.getAttribute(input, "aria-invalid"), "true");
  await page.locator(".ef-field:has(#f__attachments__premises)").screenshot({ path: shot("household-business-file-refused") });
  await page.setInputFiles(input, big);
  await page.waitForFunction(() => /5[.,]2 MB/.test(document.querySelector("#f__attachments__premises-error")?.textContent ?? ""));
  await page.setInputFiles(input, good);
  await page.waitForFunction(() => !document.querySelector("#f__attachments__premises-error"));
  assert.match(await page.textContent("#f__attachments__premises-status"), /hop-dong-thue-nha\.pdf \(120 KB\)/);
  assert.deepEqual(await axe(page), []);
  await page.locator(".ef-field:has(#f__attachments__premises)").screenshot({ path: shot("household-business-file") });
  // Remove: the value goes, focus returns to the input.
  await page.click("text=Bỏ tệp");
  assert.match(await page.textContent("#f__attachments__premises-status"), /Chưa chọn tệp/);
  assert.equal(await page.evaluate(() => document.activeElement.id), "f__attachments__premises");
  assert.deepEqual(page.problems, []);
  await page.close();
});

const hkdExample = JSON.parse(readFileSync(new globalThis.URL("../../schemas/forms/household-business.example.json", import.meta.url)));
const pitExample = JSON.parse(readFileSync(new globalThis.URL("../../schemas/forms/pit-finalisation.example.json", import.meta.url)));

test("a long form goes page by page: Continue checks the page, Back keeps what was typed, the last page submits", async () => {
  const page = await openPage(browser);
  // A draft of everything but the taxpayer's name, as if typed on an earlier visit.
  const data = structuredClone(pitExample);
  delete data.taxpayer.fullName;
  await page.goto(`${URL}/`);
  await page.evaluate((d) => localStorage.setItem("eform.draft.pit-finalisation.v2", JSON.stringify({ savedAt: Date.now(), data: d })), data);
  await page.goto(`${URL}/f/pit-finalisation`);
  await page.locator("[data-testid=draft-restored]").waitFor();
  const steps = Number((await page.textContent(".ef-page:not(.ef-page--off) .ef-progress")).match(/trên (\d+)/)[1]);
  assert.equal(steps, 9);
  await page.click("button:has-text('Tiếp tục')");
  await page.waitForFunction(() => document.activeElement?.id === "ef-page-1");
  assert.match(await page.textContent(".ef-page:not(.ef-page--off) .ef-progress"), /^Bước 2 trên 9$/);
  // Page 2 lacks the name: Continue stops and says so; the summary link lands on the field.
  await page.click("button:has-text('Tiếp tục')");
  await page.locator(".ef-summary").waitFor();
  const entries = await page.locator(".ef-summary li a").allTextContents();
  assert.equal(entries.length, 1, JSON.stringify(entries));
  await page.locator(".ef-summary li a").first().click();
  await page.waitForFunction(() => document.activeElement?.id === "f__taxpayer__fullName");
  await page.fill("#f__taxpayer__fullName", "Lê Thị Thu Trang");
  // Back and forth keeps what was typed.
  await page.click("button:has-text('Quay lại')");
  await page.click("button:has-text('Tiếp tục')");
  assert.equal(await page.inputValue("#f__taxpayer__fullName"), "Lê Thị Thu Trang");
  for (let i = 2; i < steps; i++) {
    await page.click("button:has-text('Tiếp tục')");
    await page.waitForFunction((n) => document.activeElement?.id === `ef-page-${n}`, i);
  }
  assert.equal(await page.locator("button:has-text('Tiếp tục')").count(), 0);
  // A multi-file attachment: each file is listed; a wrong one is named in the error, and the
  // summary entry of that file leads to the attachment's input.
  const dir = path.join(OUTPUT, "files");
  mkdirSync(dir, { recursive: true });
  const pdf = path.join(dir, "chung-tu-1.pdf"), exe = path.join(dir, "chung-tu-2.exe");
  writeFileSync(pdf, Buffer.alloc(2000, 1));
  writeFileSync(exe, Buffer.alloc(3000, 1));
  const certs = "#f__attachments__withholdingCertificates";
  await page.setInputFiles(certs, [pdf, exe]);
  assert.match(await page.textContent(`${certs}-status`), /chung-tu-1\.pdf \(2 KB\), chung-tu-2\.exe \(3 KB\)/);
  await page.locator(`${certs}-error`).waitFor();
  assert.match(await page.textContent(`${certs}-error`), /chung-tu-2\.exe/);
  await page.click(".ef-actions button[type=submit]:not([name])");
  await page.locator(".ef-summary").waitFor();
  const link = page.locator(".ef-summary li a", { hasText: "chung-tu-2.exe" });
  assert.equal(await link.getAttribute("href"), certs);
  await link.click();
  await page.waitForFunction((id) => document.activeElement?.id === id, certs.slice(1));
  await page.setInputFiles(certs, [pdf]);
  await page.waitForFunction((sel) => !document.querySelector(`${sel}-error`), certs);
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: shot("pit-finalisation-last-page"), fullPage: false });
  // The printout has every page and no controls.
  await page.emulateMedia({ media: "print" });
  const printed = await page.evaluate(() => ({
    pages: [...document.querySelectorAll(".ef-page")].filter((p) => getComputedStyle(p).display !== "none").length,
    buttons: [...document.querySelectorAll("button")].filter((b) => getComputedStyle(b).display !== "none" && b.offsetParent !== null).length,
  }));
  assert.deepEqual(printed, { pages: 9, buttons: 0 });
  await page.screenshot({ path: shot("pit-finalisation-print"), fullPage: true });
  await page.emulateMedia({ media: "screen" });
  await page.click(".ef-actions button[type=submit]:not([name])");
  // Complete and valid; not signed in: the portal asks for a session and the draft stays
  // until a submission is acknowledged (the intake tests follow a dossier to its receipt).
  await page.locator("[data-testid=sign-in-needed]").waitFor();
  assert.notEqual(await page.evaluate(() => localStorage.getItem("eform.draft.pit-finalisation.v2")), null);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("what was typed survives a reload; 'start again' clears it", async () => {
  const page = await openPage(browser);
  await page.goto(`${URL}/f/ct01`);
  await page.waitForSelector("h1.ef-title");
  assert.equal(await page.locator("[data-testid=draft-restored]").count(), 0);
  await page.fill("#f__applicant__fullName", "Nguyễn Thị Minh Anh");
  await page.check("#f__applicant__sex-1");
  await page.fill("#f__applicant__dateOfBirth", "17/05/1990");
  await page.reload();
  await page.locator("[data-testid=draft-restored]").waitFor();
  assert.equal(await page.inputValue("#f__applicant__fullName"), "Nguyễn Thị Minh Anh");
  assert.equal(await page.inputValue("#f__applicant__dateOfBirth"), "17/05/1990");
  assert.ok(await page.isChecked("#f__applicant__sex-1"));
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: shot("ct01-draft-restored"), fullPage: false });
  page.once("dialog", (d) => d.accept());
  // Starting again happens in place (an embedding page keeps its state): no reload.
  await page.evaluate(() => { window.__sameDocument = true; });
  await page.click("button:has-text('Xoá và nhập lại từ đầu')");
  await page.waitForFunction(() => document.querySelector("#f__applicant__fullName")?.value === "");
  assert.equal(await page.evaluate(() => window.__sameDocument), true);
  assert.equal(await page.isChecked("#f__applicant__sex-1"), false);
  assert.ok(await page.locator("[data-testid=draft-restored]").isHidden());
  await page.waitForFunction(() => document.activeElement?.classList.contains("ef-title"));
  assert.equal(await page.evaluate(() => localStorage.getItem("eform.draft.ct01.v1")), null);
  assert.deepEqual(page.problems, []);
  await page.close();
});

const judicialExample = JSON.parse(readFileSync(new globalThis.URL("../../schemas/forms/judicial-record.example.json", import.meta.url)));

test("a residence history in months: typed mm/yyyy, stored as year-month; periods must follow each other and only the last may stay open (360 px)", async () => {
  const page = await openPage(browser, { width: 360, height: 800 });
  await page.goto(`${URL}/`);
  await page.evaluate((d) => localStorage.setItem("eform.draft.judicial-record.v2", JSON.stringify({ savedAt: Date.now(), data: d })), judicialExample);
  await page.goto(`${URL}/f/judicial-record`);
  await page.locator("[data-testid=draft-restored]").waitFor();
  await page.click("button:has-text('Tiếp tục')");
  await page.waitForFunction(() => document.activeElement?.id === "ef-page-1");
  // Months show as the citizen writes them, with the hint of how.
  assert.equal(await page.inputValue("#f__history__0__from"), "03/2004");
  assert.equal(await page.inputValue("#f__history__2__to"), "");
  // The second period typed as starting before the first ended: said at once, in its row.
  await page.fill("#f__history__1__from", "6/2008");
  await page.locator("#f__history__1__from").blur();
  await page.locator("#f__history__1__from-error").waitFor();
  assert.match(await page.textContent("#f__history__1__from-error"), /phải bắt đầu sau khi thời kỳ trước kết thúc/);
  await page.fill("#f__history__1__from", "09/2008");
  await page.locator("#f__history__1__from").blur();
  await page.waitForFunction(() => !document.querySelector("#f__history__1__from-error"));
  // A fourth period while the third is still open: the third needs an end first.
  await page.click("#f__history");
  await page.fill("#f__history__3__from", "3/2020");
  await page.fill("#f__history__3__residence", "Số 5 đường Trần Phú, Đà Nẵng");
  await page.fill("#f__history__3__occupation", "Kỹ sư phần mềm");
  await page.locator("#f__history__3__from").blur();
  await page.locator("#f__history__3__from-error").waitFor();
  assert.match(await page.textContent("#f__history__3__from-error"), /Thời kỳ trước phải có tháng kết thúc/);
  await page.fill("#f__history__2__to", "02/2020");
  await page.locator("#f__history__2__to").blur();
  await page.waitForFunction(() => !document.querySelector("#f__history__3__from-error"));
  // A month that does not exist is refused with how to write one.
  await page.fill("#f__history__2__to", "13/2019");
  await page.locator("#f__history__2__to").blur();
  await page.locator("#f__history__2__to-error").waitFor();
  assert.match(await page.textContent("#f__history__2__to-error"), /tháng\/năm, ví dụ 03\/2020/);
  await page.fill("#f__history__2__to", "02/2020");
  await page.locator("#f__history__2__to").blur();
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: shot("judicial-record-history"), fullPage: true });
  const saved = await page.evaluate(() => JSON.parse(localStorage.getItem("eform.draft.judicial-record.v2")).data.history);
  assert.deepEqual(saved.map((r) => [r.from, r.to ?? null]), [["2004-03", "2008-06"], ["2008-09", "2012-06"], ["2012-07", "2020-02"], ["2020-03", null]]);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("a province-only address and an address abroad: one drop-down of provinces; a country (Viet Nam not offered, names in the page's language) and free text, shown only for applicants living abroad (360 px)", async () => {
  const page = await open("judicial-record", { width: 360, height: 800 });
  const province = "#f__receivingProvince__province";
  // One labelled drop-down, no fieldset of parts.
  assert.equal(await page.textContent(`label[for=${province.slice(1)}]`), "Kính gửi: Sở Tư pháp tỉnh, thành phố (bắt buộc)");
  assert.equal(await page.locator("#f__receivingProvince__commune").count(), 0);
  assert.equal(await page.locator(`${province} option`).count(), 35);
  await page.selectOption(province, "79");
  // The address abroad shows once the applicant says they live abroad.
  const abroad = "#f__applicant__addressAbroad";
  assert.equal(await page.locator(abroad).isVisible(), false);
  await page.check("#f__applicant__livesAbroad");
  await page.locator(abroad).waitFor({ state: "visible" });
  const country = `${abroad}__country`;
  const codes = await page.locator(`${country} option`).evaluateAll((os) => os.map((o) => o.value));
  assert.ok(codes.length > 240 && !codes.includes("VN"), `${codes.length} countries`);
  // Sorted by the Vietnamese names as a reader looks for them: "Đức" among the D's.
  const names = await page.locator(`${country} option`).evaluateAll((os) => os.slice(1).map((o) => o.textContent));
  assert.ok(names.indexOf("Dominica") < names.indexOf("Đức") && names.indexOf("Đức") < names.indexOf("Ecuador"), names.join(", "));
  await page.fill(`${abroad}__text`, "12 Sejong-daero, Jung-gu\nSeoul 04524");
  await page.locator(`${abroad}__text`).blur();
  await page.selectOption(country, "KR");
  assert.equal(await page.evaluate((sel) => document.querySelector(sel).selectedOptions[0].textContent, country), "Hàn Quốc");
  await page.click("button[lang=en]");
  await page.waitForFunction((sel) => document.querySelector(sel).selectedOptions[0]?.textContent === "South Korea", country);
  assert.equal(await page.evaluate((sel) => document.querySelector(sel).selectedOptions[0].textContent, province), "Ho Chi Minh City");
  // Continuing with the country emptied: the summary names it, in screen order with the rest.
  await page.selectOption(country, "");
  await page.click("button:has-text('Continue')");
  await page.locator(".ef-summary").waitFor();
  const summary = await page.locator(".ef-summary li").allTextContents();
  assert.ok(summary.includes("Select the country of address abroad."), JSON.stringify(summary));
  assert.equal(await page.textContent(`${country}-error`), "Error: Select the country of address abroad.");
  await page.selectOption(country, "KR");
  await page.waitForFunction((sel) => !document.querySelector(`${sel}-error`), country);
  assert.deepEqual(await axe(page), []);
  await page.locator(abroad).screenshot({ path: shot("judicial-record-abroad") });
  await page.locator(province).locator("..").screenshot({ path: shot("judicial-record-province") });
  const saved = await page.evaluate(() => JSON.parse(localStorage.getItem("eform.draft.judicial-record.v2")).data);
  assert.deepEqual(saved.receivingProvince, { province: "79" });
  assert.deepEqual(saved.applicant.addressAbroad, { country: "KR", text: "12 Sejong-daero, Jung-gu\nSeoul 04524" });
  // Unticked: the address abroad hides and is not part of what would be sent.
  await page.uncheck("#f__applicant__livesAbroad");
  await page.locator(abroad).waitFor({ state: "hidden" });
  assert.deepEqual(page.problems, []);
  await page.close();
});
