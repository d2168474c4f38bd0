// The host page's own script: records what the embedded forms report, and any CSP violation.
window.__events = [];
window.__csp = [];
for (const name of ["eform:ready", "eform:change", "eform:submitted", "eform:error"]) {
  document.addEventListener(name, (e) => window.__events.push({ name, id: e.target.id, detail: e.detail }));
}
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
