// The real forms in a real browser: each renders from its definition with every input
// labelled and no accessibility violation; the address picker offers the 2025 administrative
// units (province, then its communes); a file attachment is checked for type and size before
// anything is sent.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, mkdirSync } from "node:fs";
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
    const unlabelled = await page.$$eval("input, select, textarea", (els) =>
      els.filter((el) => !(el.labels?.length && el.labels[0].textContent.trim()) && !el.getAttribute("aria-label")).map((el) => el.id));
    assert.deepEqual(unlabelled, []);
    assert.deepEqual(await axe(page), []);
    await page.screenshot({ path: shot(`${id}-empty`), fullPage: true });
    await page.click("button[type=submit]");
    await page.locator(".ef-summary").waitFor();
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

test("the address picker lists the province's communes and forgets a commune of another province", async () => {
  const page = await open("household-business");
  const province = "#f__business__address__province";
  const commune = "#f__business__address__commune";
  assert.equal(await page.locator(`${province} option`).count(), 35, "34 provinces and the prompt");
  assert.equal(await page.isDisabled(commune), true, "no commune before a province");
  await page.selectOption(province, "01");
  await page.waitForFunction((sel) => document.querySelector(sel).options.length > 100, commune);
  const names = await page.locator(`${commune} option`).allTextContents();
  assert.ok(names.includes("Phường Ba Đình"), names.slice(0, 5).join(", "));
  assert.ok(!names.includes("Phường Sài Gòn"));
  await page.selectOption(commune, "00004");
  await page.fill("#f__business__address__street", "Số 7 phố Ngọc Hà");
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
  await page.locator("#f__business__address").screenshot({ path: shot("household-business-address") });
  assert.deepEqual(page.problems, []);
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
  const page = await open("household-business");
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
