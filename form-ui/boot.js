// Starts a trunk-built wasm app without inline script (strict CSP): the module and wasm file
// names, hashed by trunk, come from this script element's data attributes.
const boot = document.querySelector("script[data-eform-boot]");
// A page with a form the portal drew shows it first: the app's code is fetched once it is on
// screen (the next frame), not while the line is busy with the page and its stylesheet.
if (document.getElementById("ef-ssr")) {
  await new Promise((painted) => requestAnimationFrame(() => setTimeout(painted, 0)));
}
const { default: init } = await import(boot.dataset.js);
await init({ module_or_path: boot.dataset.wasm });
