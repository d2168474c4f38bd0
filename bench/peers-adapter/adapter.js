// eform in the peers benchmark: the light runtime's render_form() (form-bind, what renderForm
// is on a page without <e-form>) draws the definition into the harness's root; data and
// validation go through the same API a host page uses.
import init, { render_form } from './dist/eform.js';

await init({ module_or_path: new URL('./dist/eform_bg.wasm', import.meta.url) });

// Element ids are the data pointer's tokens with characters other than letters, digits and '-'
// written as _xx (hex): "/s001_name" -> "f__s001_5fname".
const idOf = (key) => 'f__' + key.replace(/[^A-Za-z0-9-]/g, (c) => '_' + c.charCodeAt(0).toString(16).padStart(2, '0'));
const keyOf = (id) => (id.startsWith('f__') && !id.includes('-')
  ? id.slice(3).replace(/_([0-9a-f]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)))
  : null);

let mounted = null;
window.__bench.register({
  name: 'eform',
  render(def, root) {
    mounted = render_form(root, JSON.stringify(def), "en", undefined, undefined);
  },
  setData(data) {
    mounted.set_data(data);
  },
  validate() {
    const { errors } = mounted.validate();
    return { count: errors.length, messages: errors.slice(0, 3).map((e) => `${e.pointer}: ${e.message.en}`) };
  },
  inputFor(key) {
    return document.getElementById(idOf(key));
  },
  keyOf(el) {
    return el.id ? keyOf(el.id) : null;
  },
});
