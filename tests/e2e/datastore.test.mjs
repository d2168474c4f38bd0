// The citizen's data store in a real browser (issue 7's end-to-end story): a demo citizen's CT01
// opens with their identity and household filled from the national population database, verified
// values locked with "report a mistake"; after the dossier is acknowledged they agree to keep
// their phone number and e-mail; the birth registration form then opens with those values,
// marked "declared by you"; their data log lists both reads. No attribute value reaches the
// console. Runs on a fresh portal (SQLite, then PostgreSQL): An's store holds no phone yet.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { URL, launch, openPage, shot, axe, signIn, token } from "./browser.mjs";
import { fill, example } from "./ct01.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function stored(user, keys) {
  const res = await fetch(`${URL}/datastore/v1/me/attributes?keys=${keys}`, { headers: { authorization: `Bearer ${await token(user)}` } });
  assert.equal(res.status, 200);
  return (await res.json()).attributes;
}

test("only once: CT01 filled and locked from the register, phone and e-mail kept with consent, then prefilled on the birth registration", async () => {
  const page = await openPage(browser);
  // From the list of forms to the form, as a citizen goes (Back is tried after filing).
  await signIn(page, "citizen-an", "/");
  // The list's own requests are over before the form's are counted.
  await page.waitForLoadState("networkidle");
  const asked = [];
  page.on("request", (r) => asked.push(new globalThis.URL(r.url()).pathname));
  await page.goto(`${URL}/f/ct01`);
  await page.waitForSelector("h1.ef-title");
  // Identity from the national population database, locked; the household members filled.
  assert.equal(await page.inputValue("#f__applicant__fullName"), "Nguyễn Văn An");
  // The store's values and the drafts list were asked for by the page beside the runtime's code,
  // and those answers taken: each once (one read in the data log), before the wasm.
  const wasm = asked.findIndex((p) => p.endsWith("_bg.wasm"));
  for (const early of ["/datastore/v1/me/attributes", "/api/v1/drafts"]) {
    assert.equal(asked.filter((p) => p === early).length, 1, `${early}: ${asked.join(" ")}`);
    assert.ok(asked.indexOf(early) < wasm, asked.join(" "));
  }
  assert.equal(await page.getAttribute("#f__applicant__fullName", "readonly"), "");
  assert.equal(await page.inputValue("#f__applicant__idNumber"), "001090012345");
  assert.equal(await page.getAttribute("#f__applicant__idNumber", "readonly"), "");
  assert.ok(await page.isDisabled("#f__applicant__sex"));
  assert.equal(await page.inputValue("#f__members__0__fullName"), "Trần Thị Mai");
  assert.equal(await page.inputValue("#f__members__1__fullName"), "Nguyễn Minh Khôi");
  assert.match(await page.textContent("#f__applicant__idNumber-help"), /Cơ sở dữ liệu quốc gia về dân cư/);
  // Nothing kept yet for the phone and e-mail: empty, editable.
  assert.equal(await page.inputValue("#f__applicant__phone"), "");
  assert.ok(await page.isEditable("#f__applicant__email"));

  // A wrong verified value is reported, not edited (keyboard: the disclosure opens with Enter).
  const report = page.locator("[data-testid=report-mistake]").first();
  await report.locator("summary").focus();
  await page.keyboard.press("Enter");
  await report.locator("textarea").fill("Tên tôi có dấu: Nguyễn Văn Ân.");
  assert.deepEqual(await axe(page), []);
  await report.locator("[data-testid=send-report]").click();
  await report.locator("text=Đã gửi báo cáo").waitFor();
  assert.equal(await page.inputValue("#f__applicant__fullName"), "Nguyễn Văn An", "the register's value stays");

  await fill(page);
  await page.screenshot({ path: shot("datastore-ct01-filled"), fullPage: true });
  const afterSubmit = [];
  const onRequest = (r) => afterSubmit.push(r.url());
  page.on("request", onRequest);
  await page.click(".ef-actions button[type=submit]:not([name])");
  // The confirmation in place of the form, under the dossier's address; nothing more loaded.
  await page.locator("[data-testid=received] [data-testid=dossier-code]").waitFor();
  await page.waitForURL(/\/d\/.+\?new=1$/);
  assert.equal(await page.locator("#f__request").count(), 0, "the form is gone");
  // The consent dialog lists exactly the values that would be kept.
  const dialog = page.locator("[data-testid=keep-dialog]");
  await dialog.waitFor();
  assert.ok(await dialog.evaluate((d) => d.open && d.matches(":modal")));
  const listed = await dialog.locator("[data-testid=keep-values] dd").allTextContents();
  assert.deepEqual(listed, [example.applicant.phone, example.applicant.email]);
  assert.deepEqual(await dialog.locator("[data-testid=keep-values] dt").allTextContents(), ["Số điện thoại liên hệ", "Email"]);
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: shot("datastore-keep-dialog") });
  await dialog.locator("[data-testid=keep-agree]").click();
  await page.locator("[data-testid=keep-outcome]:has-text('Đã lưu')").waitFor();
  assert.equal(await page.locator("[data-testid=keep-dialog][open]").count(), 0, "closed");
  assert.ok(await page.evaluate(() => document.activeElement?.matches("[data-testid=received] h1")), "the focus on the confirmation");
  assert.match(await page.textContent("[data-testid=received] h1"), /Hồ sơ đã được tiếp nhận/);
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: shot("datastore-received"), fullPage: true });
  page.off("request", onRequest);
  assert.deepEqual(afterSubmit.filter((u) => !/\/api\/v1\/(dossiers|drafts\/)|\/datastore\/v1\/me\/attributes$/.test(u)), [], "only intake, the draft's removal and the store");
  assert.equal(await page.title(), "Hồ sơ đã được tiếp nhận — eform");
  // In English in place: the confirmation and the page's title follow.
  await page.click("button[data-ef-lang=en]");
  await page.locator("[data-testid=received] h1:has-text('Your dossier has been received')").waitFor();
  assert.equal(await page.title(), "Your dossier has been received — eform");
  await page.click("button[data-ef-lang=vi]");
  await page.locator("[data-testid=received] h1:has-text('Hồ sơ đã được tiếp nhận')").waitFor();
  // The address is the dossier's: a reload shows its full receipt, not an empty form to file
  // again, and asks nothing.
  await page.reload();
  await page.locator("[data-testid=dossier] [data-testid=received]").waitFor();
  assert.equal(await page.locator("[data-testid=keep-dialog]").count(), 0);
  // Back leaves the dossier for the page before the form (the form's entry became the
  // dossier's: no filled form to send twice); Forward comes back to the dossier.
  await page.goBack();
  await page.waitForURL(`${URL}/`);
  await page.goForward();
  await page.waitForURL(/\/d\/.+\?new=1$/);
  await page.locator("[data-testid=received]").first().waitFor();
  assert.equal(await page.locator("#f__request").count(), 0, "no form to file again");
  // Nothing of the filed dossier is left as a draft of the form.
  assert.deepEqual(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("eform.draft.ct01"))), []);
  const kept = await stored("citizen-an", "citizen.phone,citizen.email");
  assert.equal(kept["citizen.phone"].value, example.applicant.phone);
  assert.equal(kept["citizen.email"].source, "citizen-declared");

  // Another form binding the same keys: filled, marked "declared by you".
  await page.goto(`${URL}/f/birth-registration?lang=en`);
  await page.waitForSelector("#f__requester__phone");
  assert.equal(await page.inputValue("#f__requester__fullName"), "Nguyễn Văn An");
  assert.equal(await page.getAttribute("#f__requester__fullName", "readonly"), "");
  assert.equal(await page.inputValue("#f__requester__phone"), example.applicant.phone);
  assert.equal(await page.inputValue("#f__requester__email"), example.applicant.email);
  assert.match(await page.textContent("#f__requester__phone-help"), /Declared by you on \d\d\/\d\d\/\d{4}/);
  assert.ok(await page.isEditable("#f__requester__phone"), "declared values stay editable");
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: shot("datastore-birth-registration"), fullPage: true });

  // The data log lists both reads (each for its form), the consent write and the report.
  await page.goto(`${URL}/data?lang=en`);
  await page.locator("[data-testid=data-log]").waitFor();
  const rows = await page.locator("[data-testid=data-log] tbody tr").evaluateAll((trs) =>
    trs.map((tr) => ({ kind: tr.dataset.kind, text: tr.textContent })));
  const reads = rows.filter((r) => r.kind === "read");
  assert.ok(reads.some((r) => r.text.includes("Birth registration declaration (v1)")), JSON.stringify(rows));
  assert.ok(reads.some((r) => r.text.includes("Residence information change declaration (v1)") && r.text.includes("Members of the household")), JSON.stringify(rows));
  assert.ok(rows.some((r) => r.kind === "write" && r.text.includes("Phone number")), JSON.stringify(rows));
  assert.ok(rows.some((r) => r.kind === "report" && r.text.includes("Full name")), JSON.stringify(rows));
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: shot("datastore-data-log"), fullPage: true });

  // The citizen deletes what they declared (consent withdrawn): the phone and e-mail go, the
  // register's values stay, and the log says so.
  page.once("dialog", (d) => d.accept());
  await page.click("[data-testid=erase-declared]");
  await page.locator("[data-testid=erase-outcome]").waitFor();
  assert.match(await page.textContent("[data-testid=erase-outcome]"), /Values deleted: [1-9]/);
  const left = await page.evaluate(async () =>
    (await (await fetch("/datastore/v1/me/attributes?keys=citizen.phone,citizen.email,citizen.fullName")).json()).attributes);
  assert.equal(left["citizen.phone"], undefined, JSON.stringify(left));
  assert.equal(left["citizen.email"], undefined, JSON.stringify(left));
  assert.equal(left["citizen.fullName"].verified, true);
  await page.reload();
  await page.locator("[data-testid=data-log] tr[data-kind=erase]").waitFor();
  assert.deepEqual(await axe(page), []);

  // The runtime never logs attribute values.
  const values = ["Nguyễn Văn An", "001090012345", "Trần Thị Mai", example.applicant.phone, example.applicant.email];
  assert.deepEqual(page.console.filter((m) => values.some((v) => m.includes(v))), []);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("'Not now' keeps nothing, and a 360 px phone shows the dialog whole", async () => {
  const page = await openPage(browser, { width: 360, height: 740 });
  await signIn(page, "citizen-cuong", "/f/ct01");
  await page.waitForSelector("h1.ef-title");
  await fill(page);
  await page.fill("#f__applicant__email", "cuong.le@example.vn");
  await page.click(".ef-actions button[type=submit]:not([name])");
  await page.waitForURL(/\/d\/.+\?new=1$/);
  const dialog = page.locator("[data-testid=keep-dialog]");
  await dialog.waitFor();
  const box = await dialog.boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 360, JSON.stringify(box));
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 360);
  await page.screenshot({ path: shot("datastore-keep-dialog-360") });
  // Escape is "Not now" too; here the button.
  await dialog.locator("[data-testid=keep-decline]").click();
  await page.locator("[data-testid=keep-outcome]:has-text('Không lưu')").waitFor();
  assert.deepEqual(await stored("citizen-cuong", "citizen.phone,citizen.email"), {});
  // The focus comes back to the confirmation, not to the page's start.
  assert.ok(await page.evaluate(() => document.activeElement?.matches("[data-testid=received] h1")));
  // The confirmation fits the phone too; its way to the dossier's page is a link.
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 360);
  await page.screenshot({ path: shot("datastore-received-360"), fullPage: true });
  await page.click("[data-testid=see-dossier]");
  await page.locator("[data-testid=dossier]").waitFor();
  await page.close();
});

test("a two-party declaration: the applicant's identity fills the party they say they are, and follows when they change their answer", async () => {
  const page = await openPage(browser, { width: 360, height: 800 });
  await signIn(page, "citizen-an", "/f/marriage-registration");
  await page.waitForSelector("h1.ef-title");
  // No answer yet: both parties empty.
  assert.equal(await page.inputValue("#f__husband__fullName"), "");
  assert.equal(await page.inputValue("#f__wife__fullName"), "");
  // "I am the man".
  await page.check("#f__applicantIs-1");
  await page.locator("#f__husband__fullName[readonly]").waitFor();
  assert.equal(await page.inputValue("#f__husband__fullName"), "Nguyễn Văn An");
  assert.equal(await page.inputValue("#f__husband__idNumber"), "001090012345");
  assert.match(await page.textContent("#f__husband__idNumber-help"), /Cơ sở dữ liệu quốc gia về dân cư/);
  assert.ok(await page.isEditable("#f__husband__residence__street"), "an address is not locked");
  assert.equal(await page.inputValue("#f__wife__fullName"), "");
  assert.ok(await page.isEditable("#f__wife__fullName"));
  assert.equal(await page.evaluate(() => document.activeElement?.id), "f__applicantIs-1", "the focus stays on the choice");
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: shot("two-party-prefill-man"), fullPage: true });
  // The man's street corrected and a name typed in the woman's part, then "I am the woman":
  // the man's filled values go back (the corrected street stays), the woman's part takes the
  // identity, locked.
  await page.fill("#f__husband__residence__street", "Số 14 phố Đội Cấn");
  await page.fill("#f__wife__fullName", "Trần Thị Bình");
  await page.check("#f__applicantIs");
  await page.locator("#f__wife__fullName[readonly]").waitFor();
  assert.equal(await page.inputValue("#f__wife__fullName"), "Nguyễn Văn An");
  assert.equal(await page.inputValue("#f__husband__fullName"), "");
  assert.ok(await page.isEditable("#f__husband__fullName"));
  assert.equal(await page.inputValue("#f__husband__residence__street"), "Số 14 phố Đội Cấn");
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: shot("two-party-prefill-woman"), fullPage: true });
  // Back to "the man": the name typed in the woman's part comes back; an emptied field stays
  // empty.
  await page.check("#f__applicantIs-1");
  await page.locator("#f__husband__fullName[readonly]").waitFor();
  assert.equal(await page.inputValue("#f__wife__fullName"), "Trần Thị Bình");
  assert.equal(await page.inputValue("#f__wife__idNumber"), "");
  await page.fill("#f__husband__residence__street", "");
  await page.locator("#f__husband__ethnicity").focus();
  assert.equal(await page.inputValue("#f__husband__residence__street"), "");
  assert.deepEqual(page.problems, []);
  await page.close();
});
