// CT01's example data and filling it in through the UI, shared by the browser tests.
import { readFileSync } from "node:fs";

export const example = JSON.parse(readFileSync(new globalThis.URL("../../schemas/forms/ct01.example.json", import.meta.url)));

/**
 * Fills CT01 with the example data, through the UI. Fields the citizen's data store filled and
 * locked (a signed-in demo citizen's verified identity) are left as they are; a members table
 * the store filled gets its first row overwritten with the example's member.
 */
export async function fill(page) {
  const a = example.applicant, h = example.householdHead, m = example.members[0];
  const iso = (d) => d.split("-").reverse().join("/");
  const type = async (sel, value) => { if (await page.locator(sel).isEditable()) await page.fill(sel, value); };
  const choose = async (sel, value) => { if (await page.locator(sel).isEnabled()) await page.selectOption(sel, value); };
  await page.fill("#f__receivingAgency", example.receivingAgency);
  await type("#f__applicant__fullName", a.fullName);
  await type("#f__applicant__dateOfBirth", iso(a.dateOfBirth));
  // The first radio option's id is the group's: nam is `#…sex`, nữ `#…sex-1`.
  const sex = a.sex === "nu" ? "#f__applicant__sex-1" : "#f__applicant__sex";
  if (await page.locator(sex).isEnabled()) await page.check(sex);
  await type("#f__applicant__idNumber", a.idNumber);
  await type("#f__applicant__phone", a.phone);
  await type("#f__applicant__email", a.email);
  await type("#f__householdHead__fullName", h.fullName);
  await choose("#f__householdHead__relationship", h.relationship);
  await type("#f__householdHead__idNumber", h.idNumber);
  await page.fill("#f__request", example.request);
  if (await page.locator("#f__members__0__fullName").count() === 0) await page.click("#f__members");
  await page.fill("#f__members__0__fullName", m.fullName);
  await page.fill("#f__members__0__dateOfBirth", iso(m.dateOfBirth));
  await page.selectOption("#f__members__0__sex", m.sex);
  await page.fill("#f__members__0__idNumber", m.idNumber);
  await page.selectOption("#f__members__0__relationship", m.relationship);
}
