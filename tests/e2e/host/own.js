// A host page drawing a form itself (`?form=ct01` by default, `&lang=en`): renderForm on a page without <e-form> (eform's light
// runtime). Its form is kept in `window.__form` for the test.
import { renderForm, stylesheet } from "/eform/eform.js";

const link = document.createElement("link");
link.rel = "stylesheet";
link.href = stylesheet;
document.head.append(link);
const query = new URLSearchParams(location.search);
const id = query.get("form") ?? "ct01";
const definition = await (await fetch(`/forms/${id}`)).json();
window.__form = renderForm(document.getElementById("own"), definition, { lang: query.get("lang") ?? "vi", submit: `/api/v1/forms/${id}/check` });
