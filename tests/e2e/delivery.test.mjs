// Delivery to the agency's system, seen in the browser: an administrator points the agency's
// webhook at a receiver (here a small HTTP server of the test, which checks the Standard
// Webhooks signature itself); a citizen's dossier reaches it, and the citizen's and the
// official's dossier pages say when.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import crypto from "node:crypto";
import { execFileSync } from "node:child_process";
import { URL, launch, openPage, shot, axe, signIn, token } from "./browser.mjs";
import { example } from "./ct01.mjs";

const AGENCY = "000.00.18.H56";
const DATA = process.env.EFORM_DATA ?? "target/e2e-data";
const eform = (...args) => execFileSync("target/debug/eform", [...args, "--data-dir", DATA], { encoding: "utf8" });

let browser;
let receiver;
const received = [];
let secret;

before(async () => {
  browser = await launch();
  receiver = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const id = req.headers["webhook-id"];
      const ts = req.headers["webhook-timestamp"];
      const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
      const expected = "v1," + crypto.createHmac("sha256", key).update(`${id}.${ts}.`).update(body).digest("base64");
      const ok = req.headers["webhook-signature"].split(" ").includes(expected)
        && Math.abs(Date.now() / 1000 - Number(ts)) < 300;
      received.push({ id, ok, body: JSON.parse(body.toString("utf8")) });
      res.writeHead(ok ? 204 : 401).end();
    });
  });
  await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
  secret = eform("webhooks", "set", AGENCY, "--url", `http://127.0.0.1:${receiver.address().port}/hook`,
    "--events", "dossier.received").trim();
  assert.match(secret, /^whsec_/);
});

after(async () => {
  eform("webhooks", "remove", AGENCY);
  await browser?.close();
  receiver?.close();
});

test("a dossier reaches the agency's system and its pages say when", async () => {
  const an = await token("citizen-an");
  const res = await fetch(`${URL}/api/v1/dossiers`, {
    method: "POST",
    headers: { authorization: `Bearer ${an}`, "content-type": "application/json", "idempotency-key": `delivery-${Date.now()}` },
    body: JSON.stringify({ formId: "ct01", formVersion: 1, data: example }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  const { dossierCode: code } = await res.json();
  // The receiver gets it, signed, with the dossier's data.
  for (let i = 0; i < 100 && !received.some((r) => r.body.data?.dossierCode === code); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const hook = received.find((r) => r.body.data?.dossierCode === code);
  assert.ok(hook, "the receiver got the event");
  assert.ok(hook.ok, "the signature verifies");
  assert.equal(hook.body.type, "dossier.received");
  assert.equal(hook.body.data.dossier.versionList[0].data.applicant.fullName, example.applicant.fullName);

  // The portal records the acknowledgement right after the receiver's answer.
  let deliveredAt;
  for (let i = 0; i < 100 && !deliveredAt; i++) {
    const d = await (await fetch(`${URL}/api/v1/dossiers/${code}`, { headers: { authorization: `Bearer ${an}` } })).json();
    deliveredAt = d.deliveredAt;
    if (!deliveredAt) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(deliveredAt, "the dossier says it was delivered");

  for (const [user, name] of [["citizen-an", "citizen"], ["official-ha", "official"]]) {
    const page = await openPage(browser, { width: 360, height: 800 });
    await signIn(page, user, `/d/${code}`);
    await page.locator("[data-testid=delivered-at]").waitFor();
    const label = await page.textContent("dt:has(+ dd[data-testid=delivered-at])");
    assert.match(label, /Chuyển tới hệ thống của cơ quan/);
    assert.match(await page.textContent("[data-testid=delivered-at]"), /\d{2}\/\d{2}\/\d{4}/);
    assert.deepEqual(await axe(page), []);
    await page.screenshot({ path: shot(`delivered-${name}`), fullPage: true });
    await page.close();
  }
});
