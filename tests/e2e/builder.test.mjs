// The builder in a real browser: an official of an agency creates a form from a skeleton with
// the palette, edits its fields' properties (labels in both languages, key, required, a
// prefill binding locked to the verified value, choices),
// sees form-core's diagnostics and the live preview (the citizens' runtime) in both languages
// and at 360 px, undoes and redoes, and publishes; a citizen then fills and submits it.
// Keyboard only for the moves; axe on each screen.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { URL, launch, openPage, shot, axe, signIn, approveOnThePhone, filed, openDossier } from "./browser.mjs";

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
  await page.click("[data-testid=group-prefill]");
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
  // Keyboard: select the date field, move it down twice and up three times; the focus comes
  // back to the button pressed once the canvas is drawn again (within a frame: the next key
  // press of a person finds it there).
  const pressOn = async (testid) => {
    await page.keyboard.press("Enter");
    await page.waitForFunction((t) => document.activeElement?.dataset.testid === t, testid);
  };
  await items.nth(1).locator(".bd-item__pick").focus();
  await page.keyboard.press("Enter");
  await page.locator("[data-testid=move-down]").focus();
  await pressOn("move-down");
  await pressOn("move-down");
  assert.match(await items.nth(4).textContent(), /Ngày sinh/, "after the table and its column");
  await page.keyboard.press("Shift+Tab");
  for (let i = 0; i < 3; i++) await pressOn("move-up");
  assert.match(await items.nth(0).textContent(), /Ngày sinh/);
  // An address asking for a province only: one drop-down in the preview. A label addressed to
  // someone is flagged (its default message would read badly) until it names the field.
  await add("address");
  await page.selectOption("[data-testid=address-mode]", "province");
  await page.fill("#bd-label-vi", "Kính gửi: Sở Tư pháp");
  await page.fill("#bd-label-en", "To: the Department of Justice");
  const flagged = page.locator("[data-testid=diagnostics] li", { hasText: "Kính gửi: Sở Tư pháp" });
  await flagged.waitFor();
  assert.match(await flagged.textContent(), /Vui lòng chọn tỉnh, thành phố của kính gửi: Sở Tư pháp/);
  assert.equal(await flagged.evaluate((li) => li.classList.contains("ef-error")), false, "a warning, not an error");
  await page.fill("#bd-label-vi", "Tỉnh nhận hồ sơ");
  await page.fill("#bd-label-en", "Province receiving the request");
  await flagged.waitFor({ state: "detached" });
  await preview.getByLabel("Tỉnh nhận hồ sơ").waitFor();
  assert.equal(await preview.locator("select").count(), 2, "the sex and the province: no commune");
  await page.click("[data-testid=delete]");
  await preview.getByLabel("Tỉnh nhận hồ sơ").waitFor({ state: "detached" });
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
  await citizen.click(".ef-actions button[type=submit]:not([name])");
  await citizen.waitForURL(/\/d\/.+\?new=1$/, { timeout: 20000 });
  await citizen.close();
});

// The story, with the UI only: from an empty canvas an official builds a form of nine
// fields and a table in two sections — prefill bindings (two locked, a person's detail, the
// household's members into the table), choices, a visibility rule typed with
// a mistake first, a computed field, a cross-field check, a repeatable group with two columns —
// moves a field by drag and drop, requires a signature, test-fills the preview in both
// languages, publishes; a citizen fills it, signs it and submits it.
test("from an empty canvas to a signed dossier: build, preview in both languages, publish; a citizen submits", async () => {
  const id = `ho-tro-${Date.now().toString(36)}`;
  const page = await openPage(browser, { width: 1400, height: 1000 });
  await signIn(page, "official-ha", "/builder/");
  await page.fill("#bd-new-id", id);
  await page.click("[data-testid=new-form]");
  await page.locator("[data-testid=form-properties]").waitFor();
  const items = page.locator("[data-testid=canvas-item]");
  assert.equal(await items.count(), 0, "an empty canvas");
  const preview = page.locator("[data-testid=preview]");

  // The form: titles, procedure code, a signature required.
  await page.fill("#bd-title-vi", "Tờ khai đề nghị hỗ trợ gia đình");
  await page.fill("#bd-title-en", "Family support application");
  await page.fill("#bd-procedure", "1.012345");
  await page.check("[data-testid=signature-required]");
  assert.match(await page.textContent("[data-testid=agency-code]"), /H56/);

  // A field from the palette, after the selected one; its key and labels.
  // The selected field's key and labels.
  const name = async (key, vi, en) => {
    await page.locator("#bd-key").waitFor();
    await page.fill("#bd-key", key);
    await page.press("#bd-key", "Tab");
    await page.fill("#bd-label-vi", vi);
    await page.fill("#bd-label-en", en);
  };
  const field = async (widget, key, vi, en) => {
    await page.click(`.bd-palette button[data-widget=${widget}]`);
    await name(key, vi, en);
  };
  const prefill = async (key, lock) => {
    await page.selectOption("[data-testid=prefill]", key);
    if (lock) await page.check("[data-testid=prefill-lock]");
  };
  await field("text", "hoTen", "Họ và tên", "Full name");
  await page.check("[data-testid=required]");
  await page.click("[data-testid=group-prefill]");
  await prefill("citizen.fullName", true);
  await field("id-number", "soDinhDanh", "Số định danh cá nhân", "Personal ID number");
  await page.check("[data-testid=required]");
  await prefill("citizen.idNumber", true);
  await field("date", "ngaySinh", "Ngày sinh", "Date of birth");
  await prefill("citizen.dateOfBirth", false);
  // A detail of a person in the store: the household's head, by name.
  await field("text", "chuHo", "Họ và tên chủ hộ", "Head of household");
  await page.selectOption("[data-testid=prefill]", "household.head");
  await page.selectOption("[data-testid=prefill-field]", "fullName");
  await field("phone", "dienThoai", "Số điện thoại", "Phone number");
  await field("radio", "coConNho", "Có con dưới 6 tuổi không?", "Any children under 6?");
  await page.check("[data-testid=required]");
  await page.fill("#bd-choice-0-value", "co");
  await page.fill("#bd-choice-0-vi", "Có");
  await page.fill("#bd-choice-0-en", "Yes");
  await page.fill("#bd-choice-1-value", "khong");
  await page.fill("#bd-choice-1-vi", "Không");
  await page.fill("#bd-choice-1-en", "No");
  await field("number", "soConNho", "Số con dưới 6 tuổi", "Children under 6");
  // A rule typed with a mistake: form-core's message shows under it, then goes.
  await page.click("[data-testid=group-rules]");
  await page.fill("#bd-visible", "coConNho =");
  await page.locator("[data-testid=rule-problem]").waitFor();
  assert.equal(await page.getAttribute("#bd-visible", "aria-invalid"), "true");
  await page.fill("#bd-visible", 'coConNho = "co"');
  await page.locator("[data-testid=rule-problem]").waitFor({ state: "detached" });
  // A cross-field check with its own message.
  await page.click("[data-testid=group-checks]");
  await page.click("[data-testid=add-constraint]");
  await page.fill("#bd-constraint-0-rule", "soConNho <= 10");
  await page.fill("#bd-constraint-0-message-vi", "Số con dưới 6 tuổi không quá 10.");
  await page.fill("#bd-constraint-0-message-en", "At most 10 children under 6.");
  await field("number", "thuNhapThang", "Thu nhập bình quân tháng (đồng)", "Average monthly income (VND)");
  await page.check("[data-testid=required]");
  await page.fill("#bd-limit-minimum", "0");
  await field("number", "thuNhapNam", "Thu nhập cả năm (đồng)", "Yearly income (VND)");
  await page.fill("#bd-compute", "thuNhapThang * 12");

  // A second section holding a repeatable group: the table is added after the last field and
  // moved down into the new section with the keyboard.
  await page.click("[data-testid=add-section]");
  await field("table", "thanhVien", "Thành viên hộ gia đình", "Household members");
  await page.click("[data-testid=move-down]");
  await page.click("[data-testid=group-section]");
  await page.fill("#bd-section-title-vi", "Thành viên");
  await page.fill("#bd-section-title-en", "Members");
  // Its first column, then a second one added while a column is selected.
  const columnRows = page.locator(".bd-items--columns [data-testid=canvas-item]");
  await columnRows.first().locator(".bd-item__pick").click();
  await name("fullName", "Họ và tên", "Full name");
  await field("date", "dateOfBirth", "Ngày sinh", "Date of birth");
  // The table filled from the household's members (its columns named after a person's details).
  await page.locator("[data-testid=canvas-item] .bd-item__pick", { hasText: "Thành viên hộ gia đình" }).click();
  await page.selectOption("[data-testid=prefill]", "household.members");
  assert.equal(await columnRows.count(), 2);

  // Drag and drop: the phone number goes first.
  const meta = async (i) => page.locator("[data-testid=canvas-item] .bd-item__meta").nth(i).textContent();
  assert.match(await meta(4), /dienThoai/);
  // Both rows in view: the drag does not scroll the page on its way.
  await page.evaluate(() => document.querySelector("#bd-canvas-title").scrollIntoView());
  await items.nth(4).dragTo(items.nth(0), { targetPosition: { x: 40, y: 4 } });
  await page.waitForFunction(() => document.querySelector("[data-testid=canvas-item] .bd-item__meta")?.textContent.includes("dienThoai"));
  assert.match(await meta(1), /hoTen/);
  assert.equal(await page.locator(".bd-diagnostics li.ef-error").count(), 0, await page.textContent("[data-testid=diagnostics]"));
  assert.equal(await items.count(), 9 + 1 + 2, "nine fields, the table and its two columns");

  // The preview, test-filled: the rule shows the field, the formula computes, the check and
  // the required fields are reported.
  await preview.getByLabel("Số con dưới 6 tuổi").waitFor({ state: "hidden" });
  await preview.getByText("Có", { exact: true }).click();
  await preview.getByLabel("Số con dưới 6 tuổi").fill("12");
  await preview.getByLabel("Thu nhập bình quân tháng (đồng)").fill("4500000");
  await page.waitForFunction(() => /54[ .,]?000[ .,]?000/.test(
    [...document.querySelectorAll("[data-testid=preview] input")].map((i) => i.value).join(" ")));
  await preview.locator("button[type=submit]").click();
  await preview.locator(".ef-summary").waitFor();
  const summary = await preview.locator(".ef-summary").textContent();
  assert.match(summary, /không quá 10/);
  assert.match(summary, /họ và tên/i);
  await page.screenshot({ path: shot("builder-story-vi"), fullPage: true });
  // In English: the same form, every text translated, what was typed kept.
  await page.locator(".bd-preview .ef-lang__button[lang=en]").click();
  await preview.getByLabel("Children under 6").waitFor();
  assert.equal(await preview.getByLabel("Children under 6").inputValue(), "12");
  await preview.getByText("Household members").first().waitFor();
  assert.match(await preview.locator(".ef-summary").textContent(), /At most 10/);
  await page.screenshot({ path: shot("builder-story-en"), fullPage: true });
  assert.equal(await page.locator(".bd-flag").count(), 0, "no translation missing");
  assert.deepEqual(await axe(page), []);

  await page.locator("[data-testid=save-state]", { hasText: /Đã lưu|saved/ }).waitFor();
  await page.click("[data-testid=publish]");
  await page.locator("[data-testid=published]").waitFor();
  assert.deepEqual(page.problems, []);
  await page.close();

  // The citizen: identity from the national database (name and ID locked), the rest typed,
  // a household member added, the declaration signed on the phone and submitted.
  const citizen = await openPage(browser);
  await signIn(citizen, "citizen-an", `/f/${id}`);
  await citizen.waitForFunction(() => [...document.querySelectorAll("input[readonly]")].some((i) => i.value === "Nguyễn Văn An"));
  assert.equal(await citizen.getByLabel(/Số định danh cá nhân/).inputValue(), "001090012345");
  await citizen.getByText("Có", { exact: true }).click();
  await citizen.getByLabel(/Số con dưới 6 tuổi/).fill("1");
  await citizen.getByLabel(/Thu nhập bình quân tháng/).fill("4500000");
  assert.equal(await citizen.getByLabel(/Họ và tên chủ hộ/).inputValue(), "Nguyễn Văn An");
  // The household's members came from the store; one more is added by hand.
  assert.equal(await citizen.locator(".ef-row input").first().inputValue(), "Trần Thị Mai");
  await citizen.getByRole("button", { name: /Thêm dòng/ }).click();
  await citizen.locator(".ef-row").last().locator("input").first().fill("Nguyễn Thị Bình");
  assert.deepEqual(await axe(citizen), []);
  await citizen.click(".ef-actions button[type=submit]:not([name])");
  await citizen.locator("[data-testid=sign-start]").waitFor();
  await citizen.click("[data-testid=sign-start]");
  await citizen.locator("[data-testid=sign-waiting]").waitFor();
  await approveOnThePhone(citizen, "Approve", /hỗ trợ gia đình|Family support/);
  await filed(citizen);
  await openDossier(citizen);
  assert.match(await citizen.locator("[data-testid=signature]").textContent(), /Nguyễn Văn An/);
  await citizen.screenshot({ path: shot("builder-story-dossier"), fullPage: true });
  assert.deepEqual(citizen.problems, []);
  await citizen.close();
});
