// Save and resume on another device: Lê Minh Cường starts CT01 on one browser (a phone), the
// draft goes to the portal a moment after he stops typing; signed in on a second browser (a
// fresh context: nothing in its localStorage), "My dossiers" offers to continue, and the form
// opens with what he typed and says where it came from; starting again removes it from the portal.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { URL, launch, openPage, shot, axe, signIn, token } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("a draft typed on one device is continued on another", async () => {
  const phone = await openPage(browser, { width: 360, height: 780 });
  await signIn(phone, "citizen-cuong", "/f/ct01");
  await phone.waitForSelector("h1.ef-title");
  const saved = phone.waitForResponse((r) => r.url().endsWith("/api/v1/drafts/ct01") && r.request().method() === "PUT" && r.status() === 200);
  await phone.fill("#f__applicant__phone", "0912345678");
  await phone.fill("#f__request", "Đăng ký thường trú cho con tại địa chỉ mới.");
  await saved;
  assert.deepEqual(phone.problems, []);
  await phone.context().close();

  const desk = await openPage(browser);
  await signIn(desk, "citizen-cuong", "/dossiers");
  await desk.locator("[data-testid=resume-drafts]").waitFor();
  const offer = await desk.textContent("[data-testid=resume-drafts]");
  assert.match(offer, /Tiếp tục khai/);
  assert.match(offer, /CT01|cư trú/i);
  assert.deepEqual(await axe(desk), []);
  await desk.screenshot({ path: shot("resume-offer"), fullPage: true });
  await desk.click("[data-testid=resume-drafts] a[href='/f/ct01']");
  await desk.locator("[data-testid=draft-restored]").waitFor();
  assert.match(await desk.textContent("[data-testid=draft-restored]"), /bản nháp đã lưu trên cổng/);
  assert.equal(await desk.inputValue("#f__request"), "Đăng ký thường trú cho con tại địa chỉ mới.");
  assert.equal(await desk.inputValue("#f__applicant__phone"), "0912345678");
  assert.deepEqual(await axe(desk), []);
  await desk.screenshot({ path: shot("resume-form") });

  // Starting again removes it on the portal too.
  desk.once("dialog", (d) => d.accept());
  const removed = desk.waitForResponse((r) => r.url().endsWith("/api/v1/drafts/ct01") && r.request().method() === "DELETE");
  await desk.click("[data-testid=draft-restored] button");
  await removed;
  const t = await token("citizen-cuong");
  const left = await fetch(`${URL}/api/v1/drafts/ct01`, { headers: { authorization: `Bearer ${t}` } });
  assert.equal(left.status, 404);
  assert.deepEqual(desk.problems, []);
  await desk.context().close();
});

test("a draft of an earlier version of the form comes over to the new one, saying what had no place", async () => {
  const pit = JSON.parse((await import("node:fs")).readFileSync(new globalThis.URL("../../schemas/forms/pit-finalisation.example.json", import.meta.url), "utf8"));
  const page = await openPage(browser, { width: 360, height: 780 });
  await page.goto(`${URL}/`);
  // Typed on version 1 (the portal now serves version 2), with a value version 2 has no field for.
  const v1 = { ...structuredClone(pit), ghiChuCu: "Ghi chú theo mẫu cũ" };
  await page.evaluate((d) => localStorage.setItem("eform.draft.pit-finalisation.v1", JSON.stringify({ savedAt: Date.now() - 86400000, data: d })), v1);
  await page.goto(`${URL}/f/pit-finalisation`);
  await page.locator("[data-testid=draft-carried]").waitFor();
  const note = await page.textContent("[data-testid=draft-carried]");
  assert.match(note, /phiên bản 1/);
  assert.match(note, /Ghi chú theo mẫu cũ/);
  assert.equal(await page.inputValue("#f__taxpayer__fullName"), pit.taxpayer.fullName);
  const keys = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("eform.draft.pit-finalisation")));
  assert.ok(keys.includes("eform.draft.pit-finalisation.v2") && !keys.some((k) => k.includes(".v1")), `the old draft became the new version's: ${keys}`);
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: shot("draft-carried-360") });
  // The notice stays until read.
  await page.reload();
  await page.locator("[data-testid=draft-carried]").waitFor();
  await page.click("[data-testid=carried-read]");
  await page.reload();
  await page.locator("[data-testid=draft-restored]").waitFor();
  assert.equal(await page.locator("[data-testid=draft-carried]").count(), 0);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
