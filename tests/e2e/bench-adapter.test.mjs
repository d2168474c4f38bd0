// The peers benchmark's form (../shared/peers-bench's IR, converted by our adapter's format.mjs)
// draws with renderForm() and gives the error counts the harness expects — so a change to the
// runtime's API or to the converter cannot break `cargo xtask bench browser` unnoticed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { URL, launch, openPage } from "./browser.mjs";
import { buildIR } from "../../../shared/peers-bench/fixtures/ir.mjs";
import { convert } from "../../bench/peers-adapter/format.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("the benchmark's form draws and validates as the harness expects", async () => {
  const ir = buildIR(50);
  const { def, valid, invalid } = convert(ir);
  const page = await openPage(browser);
  await page.goto(`${URL}/`);
  const result = await page.evaluate(async ([def, valid, invalid, keys]) => {
    const { renderForm } = await import("/eform/eform.js");
    const div = document.createElement("div");
    document.body.append(div);
    const form = renderForm(div, def, { lang: "en" });
    const present = keys.every((k) => document.getElementById("f__" + k.replace(/_/g, "_5f")));
    form.set_data(invalid);
    const bad = form.validate();
    form.set_data(valid);
    const good = form.validate();
    return { present, bad: bad.errors.length, good: good.errors.length, ready: bad.ready };
  }, [def, valid, invalid, ir.meta.initiallyVisible]);
  assert.equal(result.ready, undefined, "the form was drawn");
  assert.ok(result.present, "every initially visible field has its input");
  assert.equal(result.bad, ir.meta.expectedInvalidErrors);
  assert.equal(result.good, 0);
  assert.deepEqual(page.problems, []);
  await page.close();
});
