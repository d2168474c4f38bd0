// The host page's script: one <e-form> pointed at the host's own services (its reverse proxy's
// /svc/…), authenticated by the host's session cookie (`?auth=cookie`) or by a token the page
// asks its own server for and hands to the element (`?auth=token`). Records the form's events
// and any CSP violation.
window.__events = [];
window.__csp = [];
for (const name of ["eform:ready", "eform:change", "eform:signed", "eform:submitted", "eform:error"]) {
  document.addEventListener(name, (e) => window.__events.push({ name, id: e.target.id, detail: e.detail }));
}
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));

const query = new URLSearchParams(location.search);
const form = document.createElement("e-form");
form.id = "form";
form.setAttribute("lang", query.get("lang") ?? "vi");
form.setAttribute("datastore", "/svc/datastore/v1");
form.setAttribute("bridge", "/svc/bridge/v1");
form.setAttribute("intake", "/svc/api/v1/dossiers");
// The citizen's drafts on the host's drafts service too (resuming on another device).
if (query.get("drafts") === "1") form.setAttribute("drafts", "/svc/api/v1/drafts");
if (query.get("auth") === "token") {
  // Asked for before each request, so a token the host renews is always the current one.
  form.token = async () => {
    const res = await fetch("/token");
    return res.ok ? (await res.json()).token : null;
  };
}
form.setAttribute("src", `/forms/${query.get("form") ?? "ct01"}`);
document.querySelector("main").append(form);
