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
