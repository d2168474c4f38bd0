// Co-signing in a real browser, two sessions side by side: Nguyễn Văn An submits a marriage
// registration declaration signed through the development signer; it waits for the other
// spouse. Trần Thị Bình, signed in on her own (a 360 px phone), finds the task under "My
// dossiers", reads what she signs, signs with her own certificate; An's receipt then shows both
// signatures and the dossier gone to the agency. A second declaration she declines, with a
// reason the applicant reads. axe-core on every page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { URL, launch, openPage, shot, axe, signIn, token, approveOnThePhone, filed, openDossier } from "./browser.mjs";

const example = JSON.parse(readFileSync(new globalThis.URL("../../schemas/forms/marriage-registration.example.json", import.meta.url)));
const NAMES = /kết hôn|Marriage/i;

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** An fills the declaration (from a draft of the example), signs and submits it; gives the
 *  dossier code from the receipt. */
async function anSubmits(page) {
  await signIn(page, "citizen-an", "/");
  await page.evaluate((d) => localStorage.setItem("eform.draft.marriage-registration.v2.citizen-an", JSON.stringify({ savedAt: Date.now(), data: d })), example);
  await page.goto(`${URL}/f/marriage-registration`);
  await page.locator("[data-testid=draft-restored]").waitFor();
  await page.click(".ef-actions button[type=submit]:not([name])");
  await page.locator("[data-testid=certificate]").waitFor();
  await page.click("[data-testid=sign-start]");
  await page.locator("[data-testid=sign-waiting]").waitFor();
  await approveOnThePhone(page, "Approve", NAMES);
  const code = await filed(page);
  // Intake said it waits for its co-signers, and so does the confirmation.
  assert.equal(await page.getAttribute("[data-testid=received]", "data-status"), "awaiting-co-signature");
  assert.match(await page.textContent("[data-testid=received] h1"), /chờ người cùng ký/);
  await openDossier(page);
  return code;
}

test("the other spouse signs from her own session; then the dossier goes to the agency", async () => {
  const an = await openPage(browser);
  const code = await anSubmits(an);
  assert.match(await an.textContent("[data-testid=status]"), /Chờ người cùng ký/);
  const link = await an.textContent("[data-testid=co-sign-link]");
  assert.ok(link.endsWith(`/co-sign/${code}`), link);
  assert.match(await an.textContent("[data-testid=co-signers]"), /Bên nữ: Trần Thị Bình — Chờ ký/);
  assert.deepEqual(await axe(an), []);
  await an.screenshot({ path: shot("co-signing-awaiting"), fullPage: true });
  // The agency does not see it yet.
  const ha = await token("official-ha");
  const hidden = await fetch(`${URL}/api/v1/dossiers/${code}`, { headers: { authorization: `Bearer ${ha}` } });
  assert.equal(hidden.status, 404);

  // Bình, on her phone: the task under "My dossiers", what she signs, her own certificate.
  const binh = await openPage(browser, { width: 360, height: 780 });
  await signIn(binh, "citizen-binh", "/dossiers");
  await binh.locator("[data-testid=co-sign-tasks]").waitFor();
  const tasks = await binh.textContent("[data-testid=co-sign-tasks]");
  assert.match(tasks, new RegExp(code));
  assert.match(tasks, /Nguyễn Văn An/);
  assert.deepEqual(await axe(binh), []);
  await binh.click(`[data-testid=co-sign-tasks] a[href="/co-sign/${code}"]`);
  await binh.locator("[data-testid=co-sign]").waitFor();
  const summary = await binh.textContent("[data-testid=co-sign] [data-testid=summary]");
  assert.match(summary, /Nguyễn Văn An/);
  assert.match(summary, /Trần Thị Bình/);
  assert.deepEqual(await axe(binh), []);
  await binh.screenshot({ path: shot("co-signing-task-360"), fullPage: true });
  const wide = await binh.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 360, `no sideways scrolling at 360 px (${wide})`);
  await binh.click("[data-testid=co-sign-start]");
  await binh.locator("[data-testid=certificate]").waitFor();
  assert.match(await binh.textContent("[data-testid=certificate]"), /Trần Thị Bình \(CCCD:056185004321\)/);
  await binh.click("[data-testid=sign-start]");
  await binh.locator("[data-testid=sign-waiting]").waitFor();
  await approveOnThePhone(binh, "Approve", NAMES);
  await binh.locator("[data-testid=co-sign-done]").waitFor({ timeout: 20000 });
  assert.match(await binh.textContent("[data-testid=co-sign-done]"), /Bạn đã ký/);
  assert.deepEqual(await axe(binh), []);
  await binh.screenshot({ path: shot("co-signing-signed-360"), fullPage: true });

  // An's receipt: both signatures, the dossier submitted to the agency, which now reads it.
  await an.goto(`${URL}/d/${code}`);
  await an.locator("[data-testid=co-signers]").waitFor();
  assert.match(await an.textContent("[data-testid=status]"), /Đã nộp/);
  const parties = await an.textContent("[data-testid=co-signers]");
  assert.match(parties, /Trần Thị Bình — Đã ký/);
  assert.match(parties, /TOTAL-PASSED/);
  assert.match(await an.textContent("[data-testid=history]"), /đủ chữ ký/);
  assert.deepEqual(await axe(an), []);
  await an.screenshot({ path: shot("co-signing-complete"), fullPage: true });
  const seen = await fetch(`${URL}/api/v1/dossiers/${code}`, { headers: { authorization: `Bearer ${ha}` } });
  assert.equal(seen.status, 200);
  assert.deepEqual(an.problems, []);
  assert.deepEqual(binh.problems, []);
  await an.context().close();
  await binh.context().close();
});

test("a co-signer declines with a reason; the applicant is told, the dossier ends", async () => {
  const an = await openPage(browser);
  const code = await anSubmits(an);
  const binh = await openPage(browser);
  await signIn(binh, "citizen-binh", `/co-sign/${code}`);
  await binh.locator("[data-testid=decline]").waitFor();
  await binh.click("[data-testid=decline]");
  // Keyboard only from here: the reason, then the confirmation.
  await binh.focus("#ef-decline-reason");
  await binh.keyboard.type("Ngày sinh của tôi ghi sai");
  await binh.keyboard.press("Tab");
  assert.equal(await binh.evaluate(() => document.activeElement.dataset.testid), "decline-confirm");
  assert.deepEqual(await axe(binh), []);
  await binh.keyboard.press("Enter");
  await binh.locator("[data-testid=co-sign-done]").waitFor();
  assert.match(await binh.textContent("[data-testid=co-sign-done]"), /từ chối/);
  await an.goto(`${URL}/d/${code}`);
  await an.locator("[data-testid=co-signing-ended]").waitFor();
  assert.match(await an.textContent("[data-testid=status]"), /người cùng ký từ chối/);
  assert.match(await an.textContent("[data-testid=co-signers]"), /Lý do: Ngày sinh của tôi ghi sai/);
  assert.equal(await an.locator("[data-testid=amend]").count(), 0, "an ended dossier is not amended");
  assert.deepEqual(await axe(an), []);
  await an.screenshot({ path: shot("co-signing-declined"), fullPage: true });
  assert.deepEqual(an.problems, []);
  assert.deepEqual(binh.problems, []);
  await an.context().close();
  await binh.context().close();
});
