// The embed doing all four verbs for a host portal (issue 21, item 5). A province's portal on
// another origin (`localhost`, another site than the eform portal's 127.0.0.1) with its own
// sign-in and its own session cookie; its reverse proxy serves eform's script and forms, and
// under /svc/ the services a form talks to, adding the citizen's credentials on the way. The
// page keeps `script-src 'self' 'wasm-unsafe-eval'`. The form is prefilled and locked from the
// citizen's data store, signed through the bridge, filed as a dossier, and its events carry
// what the host needs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { randomBytes } from "node:crypto";
import { URL, launch, openPage, shot, axe, token, proxy, stopServer } from "./browser.mjs";
import { fill, example } from "./ct01.mjs";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const hkdExample = JSON.parse(readFileSync(new globalThis.URL("../../schemas/forms/household-business.example.json", import.meta.url)));

const HOST_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";
const files = {
  "/services.html": ["text/html; charset=utf-8", "services.html"],
  "/services.js": ["text/javascript", "services.js"],
  "/host.css": ["text/css", "host.css"],
};
// The host's sessions: its own cookie → the eform token it holds for that citizen.
const sessions = new Map();
// What reached the eform portal through the proxy: path and whether it carried a token.
const forwarded = [];
let browser, server, hostUrl;

const cookieOf = (req) => /(?:^|;\s*)host_sid=([^;]+)/.exec(req.headers.cookie ?? "")?.[1];

before(async () => {
  const upstream = new globalThis.URL(URL);
  server = http.createServer(async (req, res) => {
    const path = req.url.split("?")[0];
    const own = files[path];
    if (own) {
      res.writeHead(200, { "content-type": own[0], "content-security-policy": HOST_CSP });
      res.end(readFileSync(new globalThis.URL(`./host/${own[1]}`, import.meta.url)));
      return;
    }
    if (path === "/favicon.ico") {
      res.writeHead(204);
      res.end();
      return;
    }
    // The host's own sign-in (as its SSO would end): a session of its own, and an eform token
    // for the citizen kept on the server side.
    if (path === "/signin") {
      const q = new globalThis.URL(req.url, "http://host").searchParams;
      const sid = randomBytes(16).toString("hex");
      sessions.set(sid, await token(q.get("user")));
      res.writeHead(303, { "set-cookie": `host_sid=${sid}; HttpOnly; SameSite=Lax; Path=/`, location: q.get("next") });
      res.end();
      return;
    }
    // The token for the page to hand to <e-form> (its `token` mode), for its own session only.
    if (path === "/token") {
      const t = sessions.get(cookieOf(req));
      res.writeHead(t ? 200 : 401, { "content-type": "application/json", "cache-control": "no-store" });
      res.end(JSON.stringify(t ? { token: t } : { error: "not signed in" }));
      return;
    }
    // The host's services: eform's, behind the proxy. A request with the page's token passes
    // it on; one with only the host's session cookie gets that session's token. The host's
    // cookie never goes to eform.
    let target = req.url;
    const headers = { ...req.headers, host: upstream.host };
    delete headers.cookie;
    if (req.url.startsWith("/svc/")) {
      target = req.url.slice("/svc".length);
      const t = sessions.get(cookieOf(req));
      if (!headers.authorization && t) headers.authorization = `Bearer ${t}`;
      forwarded.push({ path: target.split("?")[0], bearer: Boolean(headers.authorization), fromPage: Boolean(req.headers.authorization) });
    } else {
      delete headers.authorization;
    }
    proxy(req, res, target, headers);
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  hostUrl = `http://localhost:${server.address().port}`;
  browser = await launch();
});
after(async () => {
  await browser?.close();
  stopServer(server);
});

const events = (page, name) => page.evaluate((n) => window.__events.filter((e) => e.name === n), name);
const waitEvent = (page, name, timeout = 30000) =>
  page.waitForFunction((n) => window.__events.some((e) => e.name === n), name, { timeout });

async function signedInHostPage(user, query) {
  const page = await openPage(browser, { width: 360, height: 900 });
  // Every request the page makes: no token may ever be part of an address.
  page.urls = [];
  page.on("request", (r) => page.urls.push(r.url()));
  page.on("response", (r) => { if (r.status() >= 400) page.problems.push(`${r.status()} ${r.url()}`); });
  const next = `/services.html?${query}`;
  await page.goto(`${hostUrl}/signin?user=${user}&next=${encodeURIComponent(next)}`);
  await waitEvent(page, "eform:ready");
  return page;
}

/** Checks what every such page must hold: no CSP violation, no token in any address. */
async function clean(page, user) {
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  const t = [...sessions.values()];
  assert.ok(page.urls.every((u) => !t.some((x) => u.includes(x))), "a token in an address");
  assert.deepEqual(page.problems, [], `${user}: console errors`);
}

test("a host portal's page, signed in by its own session cookie: CT01 prefilled and locked, filed, the code in eform:submitted", async () => {
  const page = await signedInHostPage("citizen-an", "auth=cookie&form=ct01");
  const f = (sel) => page.locator(`#form ${sel}`);
  // Prefilled from the citizen's store through the host's /svc/datastore/v1, and locked.
  const name = f("#f__applicant__fullName");
  await page.waitForFunction(() => document.querySelector("#form").shadowRoot.querySelector("#f__applicant__fullName")?.value === "Nguyễn Văn An");
  assert.equal(await name.isEditable(), false, "a verified, locked value");
  assert.match(await f("[data-testid=report-mistake]").first().textContent(), /Báo sai sót/);
  assert.ok(forwarded.some((r) => r.path === "/datastore/v1/me/attributes" && r.bearer && !r.fromPage));
  // The light runtime built with the host's services: no Leptos runtime anywhere.
  assert.ok(page.urls.some((u) => /\/embed\/form-bind-services-[0-9a-f]+_bg\.wasm$/.test(u)), "the runtime with services");
  assert.ok(!page.urls.some((u) => u.includes("form-ui")), "no Leptos runtime");
  // A wrong verified value is reported through the host's data store, by keyboard, and what
  // was written stays while the field around it is drawn again.
  const report = f("[data-testid=report-mistake]").first();
  await report.locator("summary").focus();
  await page.keyboard.press("Enter");
  await report.locator("textarea").fill("Tên tôi có dấu: Nguyễn Văn Ân.");
  const reportsBefore = forwarded.filter((r) => r.path === "/datastore/v1/me/reports").length;
  // Pressed twice: sent once (the button waits while it is on its way).
  await report.locator("[data-testid=send-report]").press("Enter");
  await report.locator("[data-testid=send-report]").press("Enter").catch(() => {});
  await report.locator("text=Đã gửi báo cáo").waitFor();
  assert.equal(forwarded.filter((r) => r.path === "/datastore/v1/me/reports").length, reportsBefore + 1);
  assert.equal(await report.locator("textarea").inputValue(), "Tên tôi có dấu: Nguyễn Văn Ân.");
  assert.equal(await report.locator("textarea").isDisabled(), true);
  assert.equal(await report.evaluate((d) => d.open), true);
  assert.ok(forwarded.some((r) => r.path === "/datastore/v1/me/reports" && r.bearer));
  await fill(page);
  await f(".ef-actions button[type=submit]").click();
  await waitEvent(page, "eform:submitted");
  const [submitted] = await events(page, "eform:submitted");
  assert.match(submitted.detail.code, /^[0-9A-Z.]+-\d{6}-\d+$/, JSON.stringify(submitted.detail));
  assert.equal(submitted.detail.data.applicant.fullName, "Nguyễn Văn An");
  await f("[data-testid=received]").waitFor();
  assert.match(await f("[data-testid=received]").textContent(), new RegExp(submitted.detail.code));
  // A form that needs no signature never loads the signing module.
  assert.ok(!page.urls.some((u) => u.includes("form-sign")));
  // The dossier is the citizen's, on the eform portal, under that code.
  const an = await token("citizen-an");
  const dossier = await fetch(`${URL}/api/v1/dossiers/${submitted.detail.code}`, { headers: { authorization: `Bearer ${an}` } });
  assert.equal(dossier.status, 200);
  assert.equal((await dossier.json()).formId, "ct01");
  // (Before axe-core, which adds a style element of its own.)
  await clean(page, "citizen-an");
  // Declared values the store could keep: asked in the form, under the host's page.
  const dialog = f("[data-testid=keep-dialog]");
  if (await dialog.count() > 0) {
    await page.locator("#form [data-testid=keep-dialog][open]").waitFor();
    assert.deepEqual(await axe(page, { include: [["#form"]] }), []);
    await page.locator("#form [data-testid=keep-dialog]").screenshot({ path: shot("embed-services-keep-dialog") });
    // Escape is "Not now".
    await page.keyboard.press("Escape");
    await f("[data-testid=keep-outcome]").getByText(/Không lưu gì thêm/).waitFor();
    assert.equal(await dialog.count(), 0);
  }
  assert.deepEqual(await axe(page, { include: [["#form"]] }), []);
  await page.locator("#form").screenshot({ path: shot("embed-services-ct01-filed") });
  await page.close();
});

test("a long form with attachments on a host's page: each file picked goes to the host's intake at once, and the dossier filed holds their hashes", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "eform-upload-"));
  const premises = path.join(dir, "hop-dong-thue-nha.pdf");
  writeFileSync(premises, Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(50_000, 7)]));
  const authorisation = path.join(dir, "van-ban-uy-quyen.pdf");
  writeFileSync(authorisation, Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(20_000, 9)]));
  const page = await signedInHostPage("citizen-em", "auth=cookie&form=household-business&lang=en");
  const f = (sel) => page.locator(`#form ${sel}`);
  // The definition and the provinces (the host's drawing says the form has an address) were
  // asked for by eform.js beside the runtime's code, and those answers taken: each once.
  const asked = page.urls.map((u) => { const a = new globalThis.URL(u); return a.pathname + a.search; });
  const wasm = asked.findIndex((p) => p.endsWith("_bg.wasm"));
  for (const p of ["/forms/household-business", "/refdata/provinces.json"]) {
    assert.equal(asked.filter((q) => q === p).length, 1, asked.join(" "));
    assert.ok(asked.indexOf(p) < wasm, asked.join(" "));
  }
  // The example's data under what the store prefilled, without its attachments.
  await page.evaluate((example) => {
    const el = document.querySelector("#form");
    const data = structuredClone(example);
    delete data.attachments;
    el.data = { ...data, ...el.data, owner: { ...data.owner, ...el.data.owner } };
  }, hkdExample);
  const next = f(".ef-actions button[name=ef-go]").last();
  await next.click();
  await page.waitForFunction(() => document.querySelector("#form").shadowRoot.activeElement?.id === "ef-page-1");
  await f(".ef-actions button[name=ef-go]").last().click();
  await page.waitForFunction(() => document.querySelector("#form").shadowRoot.activeElement?.id === "ef-page-2");
  const uploaded = page.waitForResponse((r) => r.url().includes("/svc/api/v1/attachments") && r.status() === 201);
  await f("#f__attachments__premises").setInputFiles(premises);
  await uploaded;
  const second = page.waitForResponse((r) => r.url().includes("/svc/api/v1/attachments") && r.status() === 201);
  await f("#f__attachments__membersAuthorisation").setInputFiles(authorisation);
  await second;
  await page.waitForFunction(() => document.querySelector("#form").data.attachments?.membersAuthorisation?.sha256);
  // The status says it is uploaded, with each file's size.
  await f("#f__attachments__membersAuthorisation-status").getByText(/van-ban-uy-quyen\.pdf \(20 KB\) — Uploaded\./).waitFor();
  await f("#f__attachments__premises-status").getByText(/hop-dong-thue-nha\.pdf \(50 KB\) — Uploaded\./).waitFor();
  const hashes = await page.evaluate(() => document.querySelector("#form").data.attachments);
  assert.match(hashes.premises.sha256, /^[0-9a-f]{64}$/);
  assert.match(hashes.membersAuthorisation.sha256, /^[0-9a-f]{64}$/);
  await f(".ef-actions button[type=submit]:not([name])").click();
  await waitEvent(page, "eform:submitted");
  const [submitted] = await events(page, "eform:submitted");
  assert.match(submitted.detail.code, /^[0-9A-Z.]+-\d{6}-\d+$/, JSON.stringify(submitted.detail));
  const em = await token("citizen-em");
  const dossier = await (await fetch(`${URL}/api/v1/dossiers/${submitted.detail.code}`, { headers: { authorization: `Bearer ${em}` } })).json();
  assert.equal(dossier.versionList[0].data.attachments.premises.sha256, hashes.premises.sha256);
  await f("[data-testid=received]").waitFor();
  await clean(page, "citizen-em");
  assert.deepEqual(await axe(page, { include: [["#form"]] }), []);
  await page.close();
});

test("a host page hands the element a token: the signed CT01 signed through the host's bridge, filed, eform:signed and eform:submitted", async () => {
  const page = await signedInHostPage("citizen-an", "auth=token&form=ct01-signed&lang=en");
  const f = (sel) => page.locator(`#form ${sel}`);
  await page.waitForFunction(() => document.querySelector("#form").shadowRoot.querySelector("#f__applicant__fullName")?.value === "Nguyễn Văn An");
  // The token cannot be read back from the element.
  assert.equal(await page.evaluate(() => document.querySelector("#form").token), undefined);
  await fill(page);
  // The signing module is not part of the page's load: it comes with the Sign step.
  assert.ok(!page.urls.some((u) => u.includes("form-sign")), "the signing module loaded early");
  await f(".ef-actions button[type=submit]").click();
  await f("[data-testid=certificate]").waitFor();
  assert.ok(page.urls.some((u) => /\/embed\/form-sign-[0-9a-f]{16}_bg\.wasm$/.test(u)), "the signing module");
  assert.match(await f("[data-testid=certificate]").textContent(), /Nguyễn Văn An \(CCCD:001090012345\)/);
  await page.locator("#form").screenshot({ path: shot("embed-services-sign-step") });
  // A host that calls the form back from its listener (here: validate on eform:signed).
  await page.evaluate(() => document.addEventListener("eform:signed", (e) => { window.__validOnSigned = e.target.validate().valid; }));
  await f("[data-testid=sign-start]").click();
  await f("[data-testid=sign-waiting]").waitFor();
  // Approved on "the phone": the development signer's page, as the citizen.
  const an = await token("citizen-an");
  const auth = { authorization: `Bearer ${an}` };
  let approve;
  for (let i = 0; i < 100 && !approve; i++) {
    const html = await (await fetch(`${URL}/dev/signer`, { headers: auth })).text();
    approve = [...html.matchAll(/action="(\/dev\/signer\/[^"]+\/approve)"/g)].map((m) => m[1]).at(-1);
    if (!approve) await page.waitForTimeout(100);
  }
  assert.ok(approve, "a signing request waits at the signer");
  const res = await fetch(`${URL}${approve}`, { method: "POST", headers: auth, redirect: "manual" });
  assert.equal(res.status, 303);
  await waitEvent(page, "eform:submitted", 30000);
  const [signed] = await events(page, "eform:signed");
  assert.ok(signed, "eform:signed came first");
  assert.equal(await page.evaluate(() => window.__validOnSigned), true);
  assert.match(signed.detail.signature, /^[A-Za-z0-9+/]+=*$/);
  assert.equal(signed.detail.data.applicant.fullName, "Nguyễn Văn An");
  const [submitted] = await events(page, "eform:submitted");
  assert.match(submitted.detail.code, /^[0-9A-Z.]+-\d{6}-\d+$/);
  // Every service request carried the page's token (none from the host's cookie alone).
  const bridge = forwarded.filter((r) => r.path.startsWith("/bridge/v1/"));
  assert.ok(bridge.length >= 3 && bridge.every((r) => r.fromPage), JSON.stringify(bridge));
  assert.ok(forwarded.some((r) => r.path === "/api/v1/dossiers" && r.fromPage));
  // The portal verified the signature on receipt.
  const dossier = await (await fetch(`${URL}/api/v1/dossiers/${submitted.detail.code}`, { headers: auth })).json();
  assert.equal(dossier.formId, "ct01-signed");
  const signature = dossier.versionList[0].signature;
  assert.equal(signature?.validation?.indication, "TOTAL-PASSED", JSON.stringify(signature?.validation));
  await f("[data-testid=received]").waitFor();
  const dialog = page.locator("#form [data-testid=keep-dialog][open]");
  if (await dialog.count() > 0) await f("[data-testid=keep-decline]").click();
  await page.locator("#form").screenshot({ path: shot("embed-services-signed-filed") });
  await clean(page, "citizen-an");
  await page.close();
});

test("a draft typed into the host's page on one device is continued on another, through the host's drafts service, and goes once filed", async () => {
  const phone = await signedInHostPage("citizen-em", "auth=cookie&form=ct01&drafts=1&lang=en");
  const onPhone = (sel) => phone.locator(`#form ${sel}`);
  const saved = phone.waitForResponse((r) => r.url().endsWith("/svc/api/v1/drafts/ct01") && r.request().method() === "PUT" && r.status() === 200);
  await onPhone("#f__request").fill("Đăng ký tạm trú tại nhà người thân");
  await saved;
  await clean(phone, "citizen-em");
  await phone.context().close();

  // Another device: nothing in its browser; the draft comes from the host's service.
  const desk = await signedInHostPage("citizen-em", "auth=cookie&form=ct01&drafts=1&lang=en");
  const onDesk = (sel) => desk.locator(`#form ${sel}`);
  assert.equal(await onDesk("#f__request").inputValue(), "Đăng ký tạm trú tại nhà người thân");
  assert.ok(forwarded.some((r) => r.path === "/api/v1/drafts/ct01" && r.bearer && !r.fromPage));
  await fill(desk);
  await onDesk(".ef-actions button[type=submit]").click();
  await waitEvent(desk, "eform:submitted");
  await clean(desk, "citizen-em");
  // Filed: the draft is gone from the host's service.
  const left = await desk.evaluate(async () => (await fetch("/svc/api/v1/drafts/ct01")).status);
  assert.equal(left, 404);
  await desk.context().close();
});

test("nobody signed in at the host: the form opens empty, and sending says to sign in (eform:error sign-in-required), keeping what was typed", async () => {
  const page = await openPage(browser, { width: 360, height: 900 });
  await page.goto(`${hostUrl}/services.html?auth=token&form=ct01`);
  await waitEvent(page, "eform:ready");
  const f = (sel) => page.locator(`#form ${sel}`);
  assert.equal(await f("#f__applicant__fullName").inputValue(), "");
  assert.equal(await f("#f__applicant__fullName").isEditable(), true);
  await fill(page);
  await f(".ef-actions button[type=submit]").click();
  await f("[data-testid=sign-in-needed]").waitFor();
  await waitEvent(page, "eform:error");
  const [error] = await events(page, "eform:error");
  assert.equal(error.detail.code, "sign-in-required");
  assert.match(error.detail.message.en, /sign in/i);
  assert.equal(await f("#f__applicant__fullName").inputValue(), example.applicant.fullName);
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  assert.deepEqual(await axe(page, { include: [["#form"]] }), []);
  await page.close();
});

test("nobody signed in at the host, a form to sign: the bridge's 401 says to sign in, in the Sign step and by eform:error sign-in-required", async () => {
  const page = await openPage(browser, { width: 360, height: 900 });
  await page.goto(`${hostUrl}/services.html?auth=token&form=ct01-signed&lang=en`);
  await waitEvent(page, "eform:ready");
  const f = (sel) => page.locator(`#form ${sel}`);
  await fill(page);
  await f(".ef-actions button[type=submit]").click();
  await f("[data-testid=sign-failed]").waitFor();
  assert.match(await f("[data-testid=sign-failed]").textContent(), /no longer signed in/);
  await waitEvent(page, "eform:error");
  const [error] = await events(page, "eform:error");
  assert.equal(error.detail.code, "sign-in-required");
  assert.equal(await f("#f__request").inputValue(), example.request);
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  await page.close();
});

test("a page loaded before an upgrade, signing after it: the signing module of another version asks to reload, the form kept", async () => {
  const page = await signedInHostPage("citizen-binh", "auth=token&form=ct01-signed&lang=en");
  // What the portal would serve after an upgrade: a module speaking version 2.
  await page.route("**/embed/form-sign.js", (r) => r.fulfill({
    contentType: "text/javascript",
    body: "export default async function init() {}\nexport const wasm = '';\nexport function api() { return 2; }\n",
  }));
  const f = (sel) => page.locator(`#form ${sel}`);
  await fill(page);
  await f(".ef-actions button[type=submit]").click();
  await f("[data-testid=sign-failed]").waitFor();
  assert.match(await f("[data-testid=sign-failed]").textContent(), /portal was just updated\. Reload the page/);
  assert.equal(await f("#f__request").inputValue(), example.request);
  await page.close();
});
