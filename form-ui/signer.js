// Loads the signing module (crate form-sign, a WebAssembly module of its own) the first time a
// citizen signs. `cargo xtask build-web` puts it beside this runtime's files: `form-sign.js`
// names the current build (`form-sign-<hash>.js` and its `_bg.wasm`). wasm-bindgen copies this
// file to `<dist>/snippets/form-ui-<hash>/signer.js`, hence the path.
let loading;

export function load_signer() {
  loading ??= (async () => {
    const module = await import(new URL("../../form-sign.js", import.meta.url).href);
    await module.default({ module_or_path: module.wasm });
    return module;
  })().catch((e) => {
    // A failed load (offline a moment) is tried again on the next attempt.
    loading = undefined;
    throw e;
  });
  return loading;
}
