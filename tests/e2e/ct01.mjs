// CT01's example data and filling it in through the UI, shared by the browser tests.
import { readFileSync } from "node:fs";

export const example = JSON.parse(readFileSync(new globalThis.URL("../../schemas/forms/ct01.example.json", import.meta.url)));

/** Fills CT01 with the example data, through the UI. */
export async function fill(page) {
  const a = example.applicant, h = example.householdHead, m = example.members[0];
  const iso = (d) => d.split("-").reverse().join("/");
  await page.fill("#f__receivingAgency", example.receivingAgency);
  await page.fill("#f__applicant__fullName", a.fullName);
  await page.fill("#f__applicant__dateOfBirth", iso(a.dateOfBirth));
  await page.check("#f__applicant__sex-1"); // nữ
  await page.fill("#f__applicant__idNumber", a.idNumber);
  await page.fill("#f__applicant__phone", a.phone);
  await page.fill("#f__applicant__email", a.email);
  await page.fill("#f__householdHead__fullName", h.fullName);
  await page.selectOption("#f__householdHead__relationship", h.relationship);
  await page.fill("#f__householdHead__idNumber", h.idNumber);
  await page.fill("#f__request", example.request);
  await page.click("#f__members");
  await page.fill("#f__members__0__fullName", m.fullName);
  await page.fill("#f__members__0__dateOfBirth", iso(m.dateOfBirth));
  await page.selectOption("#f__members__0__sex", m.sex);
  await page.fill("#f__members__0__idNumber", m.idNumber);
  await page.selectOption("#f__members__0__relationship", m.relationship);
}
