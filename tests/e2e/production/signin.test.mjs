// Production mode in a real browser: a portal started without --dev signs people in through an
// OpenID provider (tests/oidc/provider.mjs, npm oidc-provider) on another loopback port.
// A citizen signs in on the provider's page, finds CT01 filled with what the provider vouches
// for, submits it, and signs out — at the portal and at the provider, with the drafts of this
// browser gone; an official signs in by the role and agency claims and processes the dossier;
// a token the provider's answer does not verify is refused with a page that says so; the
// development routes do not exist.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { URL, launch, openPage, shot, axe, openDossier } from "../browser.mjs";
import { fill, example } from "../ct01.mjs";

const OIDC = process.env.EFORM_OIDC_URL;
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** From the portal's sign-in page through the provider's form, as `account`. */
async function signInThroughProvider(page, account, next) {
  await page.goto(`${URL}/signin?next=${encodeURIComponent(next)}`);
  await page.click("[data-testid=sso]");
  await page.waitForURL((u) => u.href.startsWith(`${OIDC}/interaction/`));
  await page.fill("#login", account);
  await page.fill("#password", "any");
  await page.click("button[type=submit]");
}

async function tamper(mode) {
  const res = await fetch(`${OIDC}/__test/tamper`, { method: "POST", body: JSON.stringify({ mode }) });
  assert.equal(res.status, 200);
}

test("a citizen signs in through the provider, submits CT01 and signs out everywhere; an official processes it", async () => {
  const page = await openPage(browser);
  // /dev/* does not exist in production.
  assert.equal((await page.goto(`${URL}/dev/login?user=official-ha`)).status(), 404);
  await page.goto(`${URL}/signin`);
  assert.equal(await page.locator("a[href^='/dev/']").count(), 0);
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: shot("production-signin"), fullPage: true });

  await signInThroughProvider(page, "an", "/f/ct01");
  await page.waitForURL(`${URL}/f/ct01`);
  await page.waitForSelector("h1.ef-title");
  assert.equal(await page.textContent("[data-testid=signed-in-as]"), "Nguyễn Văn An");
  // The name and ID number come from the identity provider, verified.
  await page.waitForFunction(() => document.querySelector("#f__applicant__idNumber")?.value === "001090012345");
  assert.equal(await page.inputValue("#f__applicant__fullName"), "Nguyễn Văn An");
  await fill(page);
  await page.click(".ef-actions button[type=submit]:not([name])");
  await page.waitForURL(/\/d\/.+\?new=1$/);
  await page.locator("[data-testid=received]").waitFor();
  const dialog = page.locator("[data-testid=keep-dialog]");
  if (await dialog.count() > 0 && await dialog.evaluate((d) => d.open)) await page.keyboard.press("Escape");
  const code = (await page.textContent("[data-testid=dossier-code]")).trim();
  assert.match(code, /^000\.00\.18\.H56-\d{6}-\d{4,}$/);
  await openDossier(page);
  const summary = await page.textContent("[data-testid=summary]");
  assert.ok(summary.includes(example.request), summary);
  await page.screenshot({ path: shot("production-receipt"), fullPage: true });

  // A draft of another form, typed and left: sign-out removes it from this browser.
  await page.goto(`${URL}/f/birth-registration`);
  await page.waitForSelector("h1.ef-title");
  const first = page.locator("input[type=text]:not([readonly]):not([disabled])").first();
  await first.fill("Bản nháp");
  await page.waitForFunction(() => Object.keys(localStorage).some((k) => k.startsWith("eform.draft.birth-registration")));
  // Sign out: the session ends here, then the provider asks to end its own.
  await page.click("button:has-text('Đăng xuất')");
  await page.waitForURL((u) => u.href.startsWith(`${OIDC}/session/end`));
  await page.click("button[value=yes]");
  await page.waitForURL(`${URL}/`);
  const after = await page.evaluate(async () => ({
    user: (await (await fetch("/api/v1/session")).json()).user,
    drafts: Object.keys(localStorage).filter((k) => k.startsWith("eform.draft.")),
  }));
  assert.deepEqual(after, { user: null, drafts: [] });

  // The official of the receiving agency, by the provider's role and agency claims.
  const official = await openPage(browser);
  await signInThroughProvider(official, "ha", "/inbox");
  await official.waitForURL(`${URL}/inbox`);
  await official.locator(`[data-testid=dossier-list] a:has-text('${code}')`).click();
  await official.locator("[data-testid=process]").waitFor();
  assert.match(await official.textContent(".ef-meta"), /Nguyễn Văn An/);
  await official.check("input[name=ef-status][value=needs-supplement]");
  await official.fill("#ef-status-message", "Bổ sung bản sao giấy tờ về chỗ ở hợp pháp.");
  await official.click("button:has-text('Cập nhật trạng thái')");
  await official.waitForFunction(() => document.querySelector("[data-testid=dossier]")?.dataset.status === "needs-supplement");
  assert.deepEqual(await axe(official), []);
  await official.screenshot({ path: shot("production-official"), fullPage: true });
  for (const p of [page, official]) {
    assert.deepEqual(p.problems.filter((m) => !m.includes("404")), []);
    await p.close();
  }
});

test("an ID token that does not verify is refused with a clear page, in both languages", async () => {
  for (const mode of ["signature", "audience", "nonce", "expired"]) {
    await tamper(mode);
    const page = await openPage(browser);
    await signInThroughProvider(page, "binh", "/dossiers");
    await page.waitForURL((u) => u.href.startsWith(`${URL}/auth/callback`));
    const error = page.locator("[data-testid=signin-error]");
    await error.waitFor();
    const text = await error.textContent();
    assert.match(text, /Không thể xác minh/, mode);
    assert.match(text, /could not be verified/, mode);
    const session = await page.evaluate(async () => (await (await fetch("/api/v1/session")).json()).user);
    assert.equal(session, null, mode);
    if (mode === "signature") {
      assert.deepEqual(await axe(page), []);
      await page.screenshot({ path: shot("production-signin-refused"), fullPage: true });
    }
    await page.close();
  }
  // A citizen below the required assurance level is told why.
  const page = await openPage(browser, { width: 360, height: 740 });
  await signInThroughProvider(page, "cuong", "/dossiers");
  await page.locator("[data-testid=signin-error]").waitFor();
  assert.match(await page.textContent("[data-testid=signin-error]"), /level-2/);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the refusal scrolls sideways by ${overflow}px`);
  await page.close();
});
