// Starts a trunk-built wasm app without inline script (strict CSP): the module and wasm file
// names, hashed by trunk, come from this script element's data attributes.
const boot = document.querySelector("script[data-eform-boot]");
const { default: init } = await import(boot.dataset.js);
await init({ module_or_path: boot.dataset.wasm });
