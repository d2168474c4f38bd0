// Dossier intake in a real browser: a citizen signs in, fills CT01, submits, gets a code and a
// printable receipt, rates, amends; an official sees it in the inbox, asks for a supplement and
// issues a result; the citizen sees it. Network failures are retried with the same key and make
// one dossier; nobody sees another citizen's dossier.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { URL, launch, openPage, shot, axe, signIn, token, openDossier } from "./browser.mjs";
import { fill, example } from "./ct01.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const CODE = /^000\.00\.18\.H56-\d{6}-\d{4,}$/;

async function dossiersOf(user) {
  const res = await fetch(`${URL}/api/v1/dossiers`, { headers: { authorization: `Bearer ${await token(user)}` } });
  assert.equal(res.status, 200);
  return res.json();
}

test("a citizen submits CT01, gets a printable receipt, rates and amends it; an official processes it", async () => {
  const page = await openPage(browser);
  await signIn(page, "citizen-an", "/f/ct01");
  await page.waitForSelector("h1.ef-title");
  assert.equal(await page.textContent("[data-testid=signed-in-as]"), "Nguyễn Văn An");
  await fill(page);
  await page.fill("#f__applicant__email", "an.moi@example.vn");
  await page.click(".ef-actions button[type=submit]:not([name])");
  await page.waitForURL(/\/d\/.+\?new=1$/);
  await page.locator("[data-testid=received]").waitFor();
  // Keep the new e-mail for next time? Escape is "Not now": nothing is kept.
  await page.locator("[data-testid=keep-dialog]").waitFor();
  await page.keyboard.press("Escape");
  await page.locator("[data-testid=keep-outcome]:has-text('Không lưu')").waitFor();
  const store = await page.evaluate(async () => (await fetch("/datastore/v1/me/attributes?keys=citizen.email")).json());
  assert.notEqual(store.attributes["citizen.email"]?.value, "an.moi@example.vn");
  const code = (await page.textContent("[data-testid=dossier-code]")).trim();
  assert.match(code, CODE);
  // The confirmation leads to the dossier's page: the full, printable receipt.
  await openDossier(page);
  assert.equal((await page.textContent("[data-testid=dossier-code]")).trim(), code);
  assert.match(await page.textContent("[data-testid=status]"), /Đã nộp/);
  // The data, read-only, as declared (dates as dd/mm/yyyy, choices by label); the identity came
  // from the national population database (prefilled and locked).
  const summary = await page.textContent("[data-testid=summary]");
  assert.ok(summary.includes("Nguyễn Văn An"), summary);
  assert.ok(summary.includes("14/03/1990"), summary);
  assert.ok(summary.includes("Nam"), summary);
  assert.ok(summary.includes(example.request), summary);
  // The QR code of the look-up address is drawn.
  await page.waitForFunction(() => document.querySelector(".ef-qr")?.naturalWidth > 0);
  // Acknowledged: the draft and its submission key are gone.
  const left = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("eform.draft.ct01")));
  assert.deepEqual(left, []);
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: shot("intake-receipt"), fullPage: true });
  // Print: no controls, the system's name and the code for look-up.
  await page.emulateMedia({ media: "print" });
  const printed = await page.evaluate(() => ({
    system: getComputedStyle(document.querySelector(".ef-system")).display,
    header: getComputedStyle(document.querySelector(".ef-header")).display,
    visibleButtons: [...document.querySelectorAll("button, .ef-button")].filter((b) => b.offsetParent !== null).length,
  }));
  assert.deepEqual(printed, { system: "block", header: "none", visibleButtons: 0 });
  await page.screenshot({ path: shot("intake-receipt-print"), fullPage: true });
  await page.emulateMedia({ media: "screen" });
  // The JSON download.
  const download = await page.evaluate(async (href) => (await fetch(href)).json(), await page.getAttribute("a[download$='.json']", "href"));
  assert.equal(download.code, code);
  assert.equal(download.versionList[0].data.applicant.fullName, "Nguyễn Văn An");
  // The rating: optional, once, anonymous.
  await page.check("input[name=ef-score][value='5']");
  await page.fill("#ef-rating-comment", "Nhanh và rõ ràng.");
  await page.click("button:has-text('Gửi đánh giá')");
  await page.locator("[data-testid=rated]").waitFor();
  // Amend: the form comes back with the dossier's data; the code stays.
  await page.click("[data-testid=amend]");
  await page.waitForSelector("#f__request");
  assert.equal(await page.inputValue("#f__applicant__fullName"), "Nguyễn Văn An");
  await page.fill("#f__request", "Bổ sung: đăng ký thường trú cho tôi và hai con.");
  await page.click(".ef-actions button[type=submit]:not([name])");
  await page.waitForURL(/\?amended=1$/);
  await page.locator("[data-testid=amended]").waitFor();
  assert.equal((await page.textContent("[data-testid=dossier-code]")).trim(), code);
  assert.equal(await page.locator(".ef-versions button").count(), 2);
  assert.match(await page.textContent("[data-testid=summary]"), /hai con/);
  await page.click(".ef-versions button >> nth=0");
  assert.doesNotMatch(await page.textContent("[data-testid=summary]"), /hai con/);
  assert.match(await page.textContent("[data-testid=history]"), /bổ sung, sửa hồ sơ/);
  // My dossiers lists it.
  await page.goto(`${URL}/dossiers`);
  await page.locator(`[data-testid=dossier-list] a:has-text('${code}')`).waitFor();
  assert.deepEqual(await axe(page), []);

  // The official of the receiving agency: inbox → dossier → supplement request → result.
  const official = await openPage(browser);
  await signIn(official, "official-ha", "/inbox");
  await official.locator(`[data-testid=dossier-list] a:has-text('${code}')`).click();
  await official.locator("[data-testid=process]").waitFor();
  assert.match(await official.textContent(".ef-meta"), /Nguyễn Văn An/);
  assert.deepEqual(await axe(official), []);
  await official.screenshot({ path: shot("intake-official-dossier"), fullPage: true });
  await official.check("input[name=ef-status][value=needs-supplement]");
  await official.fill("#ef-status-message", "Bổ sung bản sao giấy chứng nhận quyền sử dụng nhà ở.");
  await official.click("button:has-text('Cập nhật trạng thái')");
  await official.waitForFunction(() => document.querySelector("[data-testid=dossier]")?.dataset.status === "needs-supplement");
  // Saved: the panel is empty again, ready for the next change.
  assert.equal(await official.inputValue("#ef-status-message"), "");
  assert.equal(await official.locator("input[name=ef-status]:checked").count(), 0);
  await official.check("input[name=ef-status][value=result-issued]");
  await official.setInputFiles("#ef-result-file", { name: "ket-qua.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4\n% kết quả\n%%EOF\n") });
  await official.click("button:has-text('Cập nhật trạng thái')");
  await official.waitForFunction(() => document.querySelector("[data-testid=dossier]")?.dataset.status === "result-issued");
  assert.match(await official.textContent("[data-testid=history]"), new RegExp(`${code.replaceAll(".", "\\.")}-KQ1`));
  await official.screenshot({ path: shot("intake-official-result"), fullPage: true });

  // The citizen sees the supplement message and the result; no more amendments.
  await page.goto(`${URL}/d/${code}`);
  await page.locator("[data-testid=dossier]").waitFor();
  assert.match(await page.textContent("[data-testid=status]"), /Đã có kết quả/);
  const history = await page.textContent("[data-testid=history]");
  assert.match(history, /giấy chứng nhận quyền sử dụng nhà ở/);
  assert.match(history, /KQ1/);
  assert.equal(await page.locator("[data-testid=amend]").count(), 0);
  const result = await page.evaluate(async () => {
    const a = [...document.querySelectorAll("[data-testid=history] a")].find((l) => l.href.includes("/api/v1/attachments/"));
    const r = await fetch(a.href);
    return { status: r.status, start: (await r.text()).slice(0, 5) };
  });
  assert.deepEqual(result, { status: 200, start: "%PDF-" });

  // Another citizen cannot open it.
  const other = await openPage(browser);
  await signIn(other, "citizen-binh", `/d/${code}`);
  await other.locator(".ef-panel--warn").waitFor();
  assert.equal(await other.locator("[data-testid=dossier]").count(), 0);
  // On a 360 px wide screen the receipt fits.
  const phone = await openPage(browser, { width: 360, height: 740 });
  await signIn(phone, "citizen-an", `/d/${code}`);
  await phone.locator("[data-testid=dossier]").waitFor();
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the receipt scrolls sideways by ${overflow}px`);
  await phone.screenshot({ path: shot("intake-receipt-360px"), fullPage: true });
  for (const p of [page, official, other, phone]) {
    assert.deepEqual(p.problems.filter((m) => !m.includes("404")), []);
    await p.close();
  }
});

test("a lost connection is retried with the same key: one dossier, the draft kept until then", async () => {
  const before = (await dossiersOf("citizen-cuong")).length;
  const page = await openPage(browser);
  await signIn(page, "citizen-cuong", "/f/ct01");
  await page.waitForSelector("h1.ef-title");
  await fill(page);
  // The first request reaches the portal, which commits, but its answer is lost; the second
  // fails before reaching it; the third gets through.
  const keys = [];
  let n = 0;
  await page.route("**/api/v1/dossiers", async (route) => {
    keys.push(route.request().headers()["idempotency-key"]);
    n += 1;
    if (n === 1) {
      await route.fetch();
      await route.abort("connectionreset");
    } else if (n === 2) {
      await route.abort("internetdisconnected");
    } else {
      await route.continue();
    }
  });
  await page.click(".ef-actions button[type=submit]:not([name])");
  await page.locator("[data-testid=sending]").waitFor();
  await page.waitForURL(/\/d\/.+\?new=1$/, { timeout: 20000 });
  assert.equal(keys.length, 3);
  assert.equal(new Set(keys).size, 1, `one key for every attempt: ${keys}`);
  const after = await dossiersOf("citizen-cuong");
  assert.equal(after.length, before + 1, "exactly one dossier");
  assert.equal((await page.textContent("[data-testid=dossier-code]")).trim(), after[0].code);
  await page.close();
});

test("submitting without a session asks to sign in; what was typed comes along", async () => {
  const page = await openPage(browser);
  await page.goto(`${URL}/f/ct01`);
  await page.waitForSelector("h1.ef-title");
  await fill(page);
  await page.click(".ef-actions button[type=submit]:not([name])");
  await page.locator("[data-testid=sign-in-needed]").waitFor();
  assert.deepEqual(await axe(page), []);
  await page.click("[data-testid=sign-in-needed] a");
  await page.waitForURL(/\/signin/);
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: shot("intake-signin"), fullPage: true });
  await page.click("a:has-text('Trần Thị Bình')");
  await page.waitForURL(/\/f\/ct01/);
  await page.locator("[data-testid=draft-restored]").waitFor();
  // What was typed comes along, except where Bình's verified identity is locked: the register's
  // values replace the typed ones, and the page says so.
  assert.equal(await page.inputValue("#f__request"), example.request);
  assert.equal(await page.inputValue("#f__applicant__fullName"), "Trần Thị Bình");
  assert.match(await page.textContent("[data-testid=replaced-by-register]"), /Họ, chữ đệm và tên/);
  await page.click(".ef-actions button[type=submit]:not([name])");
  await page.locator("[data-testid=received]").waitFor();
  await page.click("[data-testid=keep-decline]");
  // Signing out ends the session: the dossier pages ask to sign in again.
  await page.click("button:has-text('Đăng xuất')");
  await page.waitForURL(`${URL}/`);
  await page.goto(`${URL}/dossiers`);
  await page.locator("a:has-text('Đăng nhập') >> nth=1").waitFor();
  await page.close();
});

test("a signed-in citizen's form opens filled from the data store: sources shown, verified values locked, a draft wins", async () => {
  const page = await openPage(browser);
  await signIn(page, "citizen-an", "/f/ct01");
  await page.waitForSelector("h1.ef-title");
  assert.equal(await page.inputValue("#f__applicant__fullName"), "Nguyễn Văn An");
  assert.equal(await page.getAttribute("#f__applicant__fullName", "readonly"), "");
  assert.equal(await page.inputValue("#f__applicant__dateOfBirth"), "14/03/1990");
  assert.ok(await page.isChecked("#f__applicant__sex")); // nam: the first option's id is the group's
  assert.ok(await page.isDisabled("#f__applicant__sex"));
  assert.equal(await page.inputValue("#f__householdHead__idNumber"), "001090012345");
  assert.equal(await page.inputValue("#f__members__1__fullName"), "Nguyễn Minh Khôi");
  // Where each value came from, tied to its field.
  const note = await page.textContent("#f__applicant__fullName-help");
  assert.match(note, /Cơ sở dữ liệu quốc gia về dân cư/);
  assert.match(note, /không sửa được/);
  assert.match(await page.getAttribute("#f__applicant__fullName", "aria-describedby"), /f__applicant__fullName-help/);
  // The phone is the citizen's to declare: editable whatever the store holds.
  assert.ok(await page.isEditable("#f__applicant__phone"));
  assert.doesNotMatch(await page.textContent("#f__applicant__phone-help").catch(() => ""), /không sửa được/);
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: shot("prefill-ct01"), fullPage: true });
  // What the citizen types stays over the store's values on the next visit (the draft wins).
  await page.fill("#f__members__0__fullName", "Trần Thị Mai Anh");
  await page.press("#f__members__0__fullName", "Tab");
  await page.reload();
  await page.locator("[data-testid=draft-restored]").waitFor();
  assert.equal(await page.inputValue("#f__members__0__fullName"), "Trần Thị Mai Anh");
  assert.equal(await page.inputValue("#f__applicant__fullName"), "Nguyễn Văn An");
  // The store's audit lists the reads, for this form.
  const audit = await page.evaluate(async () => (await fetch("/datastore/v1/me/audit")).json());
  assert.ok(audit.entries.length >= 2);
  assert.equal(audit.entries[0].formId, "ct01");
  assert.ok(audit.entries[0].keys.includes("household.members"));
  assert.ok(!audit.entries[0].keys.includes("enterprise.name"), "only the keys the form binds");
  // The store unreachable: the form still opens, empty of it, with a notice.
  await page.route("**/datastore/**", (route) => route.abort("connectionrefused"));
  await page.evaluate(() => { for (const k of Object.keys(localStorage)) if (k.startsWith("eform.draft.ct01")) localStorage.removeItem(k); });
  await page.reload();
  await page.locator("[data-testid=store-down]").waitFor();
  assert.equal(await page.inputValue("#f__applicant__fullName"), "");
  assert.ok(await page.isEditable("#f__applicant__fullName"));
  assert.deepEqual(page.problems.filter((m) => !m.includes("ERR_CONNECTION_REFUSED") && !m.includes("Failed to load")), []);
  await page.close();
});
