// A host page drawing CT01 itself: renderForm on a page without <e-form> (eform's light
// runtime). Its form is kept in `window.__form` for the test.
import { renderForm, stylesheet } from "/eform/eform.js";

const link = document.createElement("link");
link.rel = "stylesheet";
link.href = stylesheet;
document.head.append(link);
const definition = await (await fetch("/forms/ct01")).json();
const lang = new URLSearchParams(location.search).get("lang") ?? "vi";
window.__form = renderForm(document.getElementById("own"), definition, { lang, submit: "/api/v1/forms/ct01/check" });
