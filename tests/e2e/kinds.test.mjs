// More field kinds in the browser: a multi-select (checkbox group) whose choice shows and
// requires another field through a rule.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { URL, launch, openPage, shot, axe, signIn, filed, openDossier } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("a multi-select is a labelled group, drives a rule, and submits its values", async () => {
  const page = await openPage(browser);
  await signIn(page, "citizen-cuong", "/f/kinds");
  await page.locator("h1.ef-title").waitFor();
  assert.match(await page.textContent("fieldset legend"), /Dịch vụ cần đăng ký/);
  // The provider field is hidden until "Internet" is ticked.
  assert.equal(await page.isVisible("#f__provider"), false);
  // So is the table of devices (a rule on the table hides it whole).
  assert.equal(await page.isVisible("#f__devices"), false);
  await page.click(".ef-actions button[type=submit]:not([name])");
  const entries = await page.locator(".ef-summary li a").allTextContents();
  assert.deepEqual(entries, ["Vui lòng chọn ít nhất một mục cho dịch vụ cần đăng ký."]);
  await page.locator(".ef-summary li a").first().click();
  await page.waitForFunction(() => document.activeElement?.id === "f__services");
  await page.check("#f__services");        // Điện
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Space");      // Internet, by keyboard
  assert.ok(await page.isChecked("#f__services-2"));
  await page.locator("#f__provider").waitFor({ state: "visible" });
  await page.locator("#f__devices").waitFor({ state: "visible" });
  await page.click(".ef-actions button[type=submit]:not([name])");
  assert.deepEqual(await page.locator(".ef-summary li a").allTextContents(), ["Vui lòng nhập nhà cung cấp internet."]);
  await page.fill("#f__provider", "VNPT");
  await page.click(".ef-actions button[type=submit]:not([name])");
  // Taken as a dossier: the receipt shows the chosen services by their labels.
  await filed(page);
  await openDossier(page);
  assert.match(await page.textContent("[data-testid=summary]"), /VNPT/);
  assert.deepEqual(await axe(page), []);
  assert.deepEqual(page.problems, []);
  await page.screenshot({ path: shot("kinds-multiselect"), fullPage: true });
  await page.close();
});
