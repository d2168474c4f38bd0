// Starts a trunk-built wasm app without inline script (strict CSP): the module and wasm file
// names, hashed by trunk, come from this script element's data attributes.
const boot = document.querySelector("script[data-eform-boot]");
// A page the portal drew (a form, the list of forms, an account page's header) shows it first:
// the app's code is fetched once it is on screen (the next frame), not while the line is busy
// with the page and its stylesheet; after 3 s at most (a hidden tab paints no frame).
if (document.getElementById("ef-ssr") || document.querySelector("[data-ef-drawn-page]")) {
  await Promise.race([
    new Promise((painted) => requestAnimationFrame(() => setTimeout(painted, 0))),
    new Promise((later) => setTimeout(later, 3000)),
  ]);
}
const { default: init } = await import(boot.dataset.js);
await init({ module_or_path: boot.dataset.wasm });
