// Keyboard only: CT01 filled and submitted with Tab, Shift-Tab, Space, Enter, arrow keys and
// typing — no mouse, no element handles. Focus moves forward through the form in reading order.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { URL, launch, openPage, shot } from "./browser.mjs";

const example = JSON.parse(readFileSync(new globalThis.URL("../../schemas/forms/ct01.example.json", import.meta.url)));
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const focused = (page) => page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);

/** Presses Tab until the element with `id` has focus; returns the ids passed on the way. */
async function tabTo(page, id, max = 60) {
  const seen = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    const now = await focused(page);
    seen.push(now);
    if (now === id) return seen;
  }
  assert.fail(`Tab never reached #${id}; passed ${seen.join(", ")}`);
}

/** Arrow-Down on a focused <select> until it holds `value`. */
async function chooseWithArrows(page, id, value) {
  for (let i = 0; i < 20; i++) {
    if ((await page.inputValue(`#${id}`)) === value) return;
    await page.keyboard.press("ArrowDown");
  }
  assert.fail(`#${id} never reached ${value}`);
}

test("CT01 can be filled and submitted with the keyboard alone", async () => {
  const page = await openPage(browser);
  await page.goto(`${URL}/f/ct01`);
  await page.waitForSelector("h1.ef-title");
  const a = example.applicant, h = example.householdHead, m = example.members[0];
  const dmy = (d) => d.split("-").reverse().join("/");
  const order = [];
  const go = async (id) => { order.push(...(await tabTo(page, id))); };

  await go("f__receivingAgency");
  await page.keyboard.type(example.receivingAgency);
  await go("f__applicant__fullName");
  await page.keyboard.type(a.fullName);
  await go("f__applicant__dateOfBirth");
  await page.keyboard.type(dmy(a.dateOfBirth));
  // A radio group is one Tab stop; Space ticks the first option, an arrow moves to the next.
  await go("f__applicant__sex");
  await page.keyboard.press("Space");
  await page.keyboard.press("ArrowRight");
  assert.equal(await focused(page), "f__applicant__sex-1");
  assert.ok(await page.isChecked("#f__applicant__sex-1"));
  if (a.sex === "nam") {
    await page.keyboard.press("ArrowLeft");
    assert.ok(await page.isChecked("#f__applicant__sex"));
  }
  await go("f__applicant__idNumber");
  await page.keyboard.type(a.idNumber);
  await go("f__applicant__phone");
  await page.keyboard.type("09123");
  await go("f__applicant__email");
  // Shift-Tab goes back to correct the phone number.
  await page.keyboard.press("Shift+Tab");
  assert.equal(await focused(page), "f__applicant__phone");
  await page.keyboard.press("Control+A");
  await page.keyboard.type(a.phone);
  await go("f__applicant__email");
  await page.keyboard.type(a.email);
  await go("f__householdHead__fullName");
  await page.keyboard.type(h.fullName);
  await go("f__householdHead__relationship");
  await chooseWithArrows(page, "f__householdHead__relationship", h.relationship);
  await go("f__householdHead__idNumber");
  await page.keyboard.type(h.idNumber);
  await go("f__request");
  await page.keyboard.type(example.request);
  // "Add a row" with Enter: focus lands in the new row's first cell.
  await go("f__members");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.activeElement?.id === "f__members__0__fullName");
  await page.keyboard.type(m.fullName);
  await go("f__members__0__dateOfBirth");
  await page.keyboard.type(dmy(m.dateOfBirth));
  await go("f__members__0__sex");
  await chooseWithArrows(page, "f__members__0__sex", m.sex);
  await go("f__members__0__idNumber");
  await page.keyboard.type(m.idNumber);
  await go("f__members__0__relationship");
  await chooseWithArrows(page, "f__members__0__relationship", m.relationship);
  // The form's submit button (the rows' buttons are submit buttons too, for a page without
  // JavaScript), then Enter.
  for (let i = 0; i < 10 && !(await page.evaluate(() => document.activeElement?.matches(".ef-actions button[type=submit]:not([name])"))); i++) {
    await page.keyboard.press("Tab");
  }
  await page.keyboard.press("Enter");
  // Checked, complete: not signed in, so the portal asks for a session before taking it.
  await page.locator("[data-testid=sign-in-needed]").waitFor();
  assert.equal(await page.locator(".ef-summary").count(), 0);
  // Focus went forward only: each field was reached after the ones before it in the page.
  const fields = order.filter((id) => id.startsWith("f__"));
  const domOrder = await page.evaluate((ids) => {
    const all = [...document.querySelectorAll("[id^=f__]")].map((e) => e.id);
    return ids.map((id) => all.indexOf(id));
  }, fields);
  // (Adding a row moves focus up into the new row, above the button: that step is expected.)
  const backwards = domOrder.filter((pos, i) => i > 0 && pos < domOrder[i - 1] && fields[i - 1] !== "f__members");
  assert.deepEqual(backwards, [], `focus went backwards: ${fields.join(" → ")}`);
  await page.screenshot({ path: shot("ct01-keyboard-submitted"), fullPage: false });
  assert.deepEqual(page.problems, []);
  await page.close();
});
