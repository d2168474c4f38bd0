// The builder in a real browser: an official of an agency creates a form from a skeleton with
// the palette, edits its fields' properties (labels in both languages, key, required, a
// prefill binding locked to the verified value, choices),
// sees form-core's diagnostics and the live preview (the citizens' runtime) in both languages
// and at 360 px, undoes and redoes, and publishes; a citizen then fills and submits it.
// Keyboard only for the moves; axe on each screen.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { URL, launch, openPage, shot, axe, signIn } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const ID = `thu-${Date.now().toString(36)}`;

test("an official builds a form with the palette, previews it, publishes it; a citizen submits it", async () => {
  const page = await openPage(browser, { width: 1400, height: 1000 });
  await signIn(page, "official-ha", "/builder/");
  await page.locator("[data-testid=builder-forms]").waitFor();
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: shot("builder-list"), fullPage: true });
  await page.fill("#bd-new-id", ID);
  await page.click("[data-testid=new-form]");
  await page.waitForURL(new RegExp(`/builder/\\?form=${ID}$`));
  await page.locator("[data-testid=form-properties]").waitFor();
  const preview = page.locator("[data-testid=preview]");
  // The form's title in both languages.
  await page.fill("#bd-title-vi", "Đơn đề nghị thử nghiệm");
  await page.fill("#bd-title-en", "Test application");
  // Fields from the palette; each lands after the selected one.
  const add = async (widget) => {
    await page.click(`.bd-palette button[data-widget=${widget}]`);
  };
  await add("text");
  await page.fill("#bd-label-vi", "Họ và tên");
  await page.fill("#bd-label-en", "Full name");
  await page.fill("#bd-key", "hoTen");
  await page.press("#bd-key", "Tab");
  await page.check("[data-testid=required]");
  // Filled from the citizen's data store, locked to the verified value.
  await page.selectOption("[data-testid=prefill]", "citizen.fullName");
  await page.check("[data-testid=prefill-lock]");
  await add("date");
  // Typed key by key, as people type: the text box keeps its focus throughout.
  await page.click("#bd-label-vi");
  await page.keyboard.press("Control+A");
  await page.keyboard.type("Ngày sinh");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "bd-label-vi");
  assert.equal(await page.inputValue("#bd-label-vi"), "Ngày sinh");
  // One language only: flagged until the other is there.
  await page.fill("#bd-label-en", "");
  await page.locator(".bd-flag").first().waitFor();
  await page.fill("#bd-label-en", "Date of birth");
  await page.locator(".bd-flag").waitFor({ state: "detached" });
  await add("select");
  // Its choices: values and texts in both languages; the data schema follows.
  await page.fill("#bd-choice-0-value", "nam");
  await page.fill("#bd-choice-0-vi", "Nam");
  await page.fill("#bd-choice-0-en", "Male");
  await page.click("[data-testid=add-choice]");
  assert.equal(await page.locator("[data-testid=choice]").count(), 3);
  await page.fill("#bd-label-vi", "Giới tính");
  await page.fill("#bd-label-en", "Sex");
  await preview.getByLabel("Giới tính").selectOption("nam");
  await add("table");
  // The preview is the citizens' runtime: the fields are there, labelled.
  await preview.getByLabel("Họ và tên").waitFor();
  await preview.getByLabel("Ngày sinh").waitFor();
  await page.screenshot({ path: shot("builder-editor"), fullPage: true });
  // Undo the table, redo it.
  const items = page.locator("[data-testid=canvas-item]");
  const count = await items.count();
  await page.click("[data-testid=undo]");
  assert.equal(await items.count(), count - 2, "the table and its column gone");
  await page.click("[data-testid=redo]");
  assert.equal(await items.count(), count);
  // Keyboard: select the date field, move it down twice and up three times; the focus stays
  // on the button pressed.
  await items.nth(1).locator(".bd-item__pick").focus();
  await page.keyboard.press("Enter");
  await page.locator("[data-testid=move-down]").focus();
  await page.keyboard.press("Enter");
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), "move-down");
  assert.match(await items.nth(4).textContent(), /Ngày sinh/, "after the table and its column");
  await page.keyboard.press("Shift+Tab");
  for (let i = 0; i < 3; i++) await page.keyboard.press("Enter");
  assert.match(await items.nth(0).textContent(), /Ngày sinh/);
  // The preview in English and at 360 px.
  await page.locator(".bd-preview .ef-lang__button[lang=en]").click();
  await preview.getByLabel("Full name").waitFor();
  await page.check("[data-testid=preview-narrow]");
  assert.ok((await preview.boundingBox()).width <= 362);
  await page.screenshot({ path: shot("builder-preview-360"), fullPage: true });
  assert.deepEqual(await axe(page), []);
  // The draft is saved on the portal.
  await page.locator("[data-testid=save-state]", { hasText: /Đã lưu|saved/ }).waitFor();
  await page.click("[data-testid=publish]");
  await page.locator("[data-testid=published]").waitFor();
  assert.match(await page.textContent("[data-testid=published]"), /1/);
  await page.locator("[data-testid=versions] li").first().waitFor();
  assert.deepEqual(page.problems, []);
  await page.close();

  // A citizen opens it: the name comes from the data store, locked; they submit.
  const citizen = await openPage(browser);
  await signIn(citizen, "citizen-an", `/f/${ID}`);
  const name = citizen.getByLabel(/Họ và tên/);
  await citizen.waitForFunction(() => document.querySelector("input[readonly]")?.value === "Nguyễn Văn An");
  assert.equal(await name.inputValue(), "Nguyễn Văn An");
  await citizen.click("button[type=submit]");
  await citizen.waitForURL(/\/d\/.+\?new=1$/, { timeout: 20000 });
  await citizen.close();
});
