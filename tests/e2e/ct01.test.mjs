// CT01 in a real browser: it renders from its JSON definition, every input is labelled, an empty
// submission lists the required fields in an error summary that links to them, valid data
// passes the browser's and the portal's checks, and the language switch keeps what was typed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { URL, launch, openPage, shot, axe, signIn } from "./browser.mjs";
import { fill } from "./ct01.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function openCt01(opts) {
  const page = await openPage(browser, opts);
  const res = await page.goto(`${URL}/f/ct01`);
  assert.equal(res.status(), 200);
  await page.waitForSelector("h1.ef-title");
  return page;
}

test("every input of CT01 has a label", async () => {
  const page = await openCt01();
  const unlabelled = await page.$$eval("input:not([type=hidden]), select, textarea", (els) =>
    els.filter((el) => !(el.labels?.length && el.labels[0].textContent.trim()) && !el.getAttribute("aria-label")).map((el) => el.id));
  assert.deepEqual(unlabelled, []);
  const count = await page.locator("input, select, textarea").count();
  assert.ok(count >= 11, `only ${count} inputs`);
  assert.deepEqual(await axe(page), []);
  assert.deepEqual(page.problems, []);
  await page.screenshot({ path: shot("ct01-empty"), fullPage: true });
  await page.close();
});

test("an empty submission lists the required fields in a summary that links to them", async () => {
  const page = await openCt01();
  await page.click(".ef-actions button[type=submit]:not([name])");
  const summary = page.locator(".ef-summary");
  await summary.waitFor();
  await page.waitForFunction(() => document.activeElement?.classList.contains("ef-summary"));
  const entries = await summary.locator("li a").allTextContents();
  for (const label of ["Họ, chữ đệm và tên", "Ngày, tháng, năm sinh", "Giới tính", "Số định danh cá nhân", "Nội dung đề nghị"]) {
    assert.ok(entries.some((e) => e.toLowerCase().includes(label.toLowerCase())), `${label} missing from ${JSON.stringify(entries)}`);
  }
  assert.equal(entries.length, 9, JSON.stringify(entries));
  assert.equal(await page.locator(".ef-field--error").count(), 9);
  // The inline error is tied to its input.
  const described = await page.getAttribute("#f__applicant__fullName", "aria-describedby");
  assert.match(described, /f__applicant__fullName-error/);
  assert.equal(await page.getAttribute("#f__applicant__fullName", "aria-invalid"), "true");
  // A summary entry moves focus to its field.
  await summary.locator("li a", { hasText: "Số định danh cá nhân" }).first().click();
  await page.waitForFunction(() => document.activeElement?.id === "f__applicant__idNumber");
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: shot("ct01-errors"), fullPage: true });
  await page.close();
});

test("valid data passes the browser's and the portal's checks and is taken as a dossier", async () => {
  const page = await openPage(browser);
  await signIn(page, "citizen-binh", "/f/ct01");
  await page.waitForSelector("h1.ef-title");
  await fill(page);
  assert.equal(await page.locator(".ef-summary").count(), 0);
  assert.equal(await page.locator(".ef-error").count(), 0);
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: shot("ct01-filled"), fullPage: true });
  await page.click(".ef-actions button[type=submit]:not([name])");
  await page.locator("[data-testid=received]").waitFor();
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("wrong values get their own messages inline after leaving the field", async () => {
  const page = await openCt01();
  await page.fill("#f__applicant__idNumber", "12345");
  await page.press("#f__applicant__idNumber", "Tab");
  await page.fill("#f__applicant__dateOfBirth", "31/02/1990");
  await page.press("#f__applicant__dateOfBirth", "Tab");
  const errors = await page.locator(".ef-error").allTextContents();
  assert.ok(errors.some((e) => e.includes("12 chữ số")), JSON.stringify(errors));
  assert.ok(errors.some((e) => e.includes("ngày có thật")), JSON.stringify(errors));
  // Only the fields left so far show errors.
  assert.equal(errors.length, 2);
  // A cross-field rule of the definition, evaluated in the browser with the device's date.
  await page.fill("#f__applicant__dateOfBirth", "01/01/2099");
  await page.press("#f__applicant__dateOfBirth", "Tab");
  await page.locator(".ef-error", { hasText: "không được sau ngày hôm nay" }).waitFor();
  await page.close();
});

test("switching language keeps what was typed", async () => {
  const page = await openCt01();
  await page.fill("#f__applicant__fullName", "Nguyễn Thị Minh Anh");
  await page.check("#f__applicant__sex-1");
  await page.click("button[lang=en]");
  await page.waitForFunction(() => document.querySelector("h1").textContent.includes("Residence information change"));
  assert.equal(await page.getAttribute("html", "lang"), "en");
  assert.equal(await page.inputValue("#f__applicant__fullName"), "Nguyễn Thị Minh Anh");
  assert.ok(await page.isChecked("#f__applicant__sex-1"));
  assert.equal(await page.textContent("label[for=f__applicant__fullName]"), "Full name (required)");
  await page.click(".ef-actions button[type=submit]:not([name])");
  const entries = await page.locator(".ef-summary li a").allTextContents();
  assert.ok(entries.includes("Enter date of birth (About the applicant)."), JSON.stringify(entries));
  assert.ok(!entries.includes("Enter full name (About the applicant)."), "the typed name is not reported missing");
  // Back to Vietnamese with the errors showing: they stay, in Vietnamese, inline and in the summary.
  await page.click("button[lang=vi]");
  await page.waitForFunction(() => document.querySelector("h1").textContent.includes("Tờ khai"));
  const inline = await page.textContent("#f__applicant__dateOfBirth-error");
  assert.ok(inline.includes("năm sinh"), inline);
  const vi = await page.locator(".ef-summary li a").allTextContents();
  assert.equal(vi.length, entries.length);
  assert.equal(await page.inputValue("#f__applicant__fullName"), "Nguyễn Thị Minh Anh");
  await page.close();
});

test("CT01 works on a 360 px wide screen", async () => {
  const page = await openCt01({ width: 360, height: 740 });
  await fill(page);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
  await page.screenshot({ path: shot("ct01-360px"), fullPage: true });
  await page.close();
});

test("removing a row moves the rows below up with their shown errors; a new row starts untouched", async () => {
  const page = await openCt01();
  await page.click("#f__members");
  await page.click("#f__members");
  // Row 2's ID number: a wrong value, left — its error shows.
  await page.fill("#f__members__1__idNumber", "123");
  await page.press("#f__members__1__idNumber", "Tab");
  await page.locator("#f__members__1__idNumber-error").waitFor();
  // Remove row 1: row 2 moves up and keeps its shown error.
  await page.click("button:has-text('Xoá dòng 1')");
  await page.locator("#f__members__0__idNumber-error").waitFor();
  assert.equal(await page.locator("#f__members__1__idNumber").count(), 0);
  // Remove it too, then add a row: the new row shows no error until it is left.
  await page.click("button:has-text('Xoá dòng 1')");
  await page.click("#f__members");
  await page.locator("#f__members__0__idNumber").waitFor();
  assert.equal(await page.locator("#f__members__0__idNumber-error").count(), 0);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("rows move up and down with the keyboard, keeping their data and the focus", async () => {
  const page = await openCt01();
  await page.click("#f__members");
  await page.fill("#f__members__0__fullName", "Trần Minh Khôi");
  await page.click("#f__members");
  await page.fill("#f__members__1__fullName", "Trần Minh An");
  assert.ok(await page.isDisabled("button:has-text('Chuyển lên dòng 1')"));
  assert.ok(await page.isDisabled("button:has-text('Chuyển xuống dòng 2')"));
  // Row 2 up, with Enter on its button.
  await page.focus("button:has-text('Chuyển lên dòng 2')");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelector("#f__members__0__fullName")?.value === "Trần Minh An");
  assert.equal(await page.inputValue("#f__members__1__fullName"), "Trần Minh Khôi");
  // Focus follows the row: at the top its "move up" is disabled, so its "move down" has focus.
  await page.waitForFunction(() => document.activeElement?.textContent === "Chuyển xuống dòng 1");
  // And down again.
  await page.click("button:has-text('Chuyển xuống dòng 1')");
  await page.waitForFunction(() => document.querySelector("#f__members__0__fullName")?.value === "Trần Minh Khôi");
  assert.deepEqual(page.problems, []);
  await page.close();
});
