// eform.js — embeds eform forms in any page with one script tag:
//
//   <script type="module" src="/eform/eform.js"></script>
//   <e-form src="/forms/ct01" lang="vi"></e-form>
//
// Served by the eform portal, which fills in the file name of the current build's stylesheet
// (the runtime's modules are named by `form-bind.js`, `form-bind-services.js` and
// `form-sign.js`, all under /embed/). Each <e-form> draws its form in
// its own shadow root and reports through DOM events: eform:ready, eform:change, eform:signed,
// eform:submitted, eform:error; a script can read and replace `element.data` and call
// `element.validate()`. No inline script or style is used anywhere, so the host page can
// keep `script-src 'self' 'wasm-unsafe-eval'; style-src 'self'`.
//
// With the host's services named — <e-form datastore="/datastore/v1" bridge="/bridge/v1"
// intake="/api/v1/dossiers" drafts="/api/v1/drafts"> — the form is prefilled from the
// citizen's data store, signed through the bridge and filed as a dossier, and the citizen's
// draft is kept on the host's drafts service too (resuming on another device). They
// authenticate the citizen by the host's same-origin session cookie, or by a token the page gives the element: `element.token = "…"`,
// or a function returning the token (or a promise of it), called before each request. The
// token is never an attribute, never part of a URL, and cannot be read back from the element.
//
// Until the runtime's code has arrived, an <e-form> shows its form drawn by the portal
// (`src` asked with `?as=html`): the citizen can read it and start typing at once, and the
// runtime takes it over, keeping what was typed. A `src` that gives no such drawing (a host's
// own copy of a definition) shows the form when the runtime is ready, as before. A host whose
// server draws its pages can put that drawing in the element itself (`?as=shadow`, a
// declarative shadow root): it shows with the page, before any script.
const asset = (name) => new URL(`../embed/${name}`, import.meta.url).href;
const css = asset("__CSS__");
// The stylesheet, asked for beside the first drawing rather than once it has come: on a slow
// line, one round trip less before the form shows.
let styleAsked = false;
const askStyle = () => {
  if (styleAsked) return;
  styleAsked = true;
  const link = document.createElement("link");
  link.rel = "preload";
  link.as = "style";
  link.href = css;
  document.head.append(link);
};
// The runtime (crate form-bind: the form drawn with the portal's markup and bound without a
// view framework), in two builds: one for an element naming any of the host's services
// (`datastore`, `bridge`, `intake`, `drafts`), one smaller without them (the other elements and
// `renderForm`). Each is fetched when an element needs it: its JavaScript glue (a few KB) at
// once, beside the drawing; its wasm once the page's first drawn form is on screen (or there is
// none to wait for): on a slow line the drawing is not slowed by the wasm sharing the line, and
// the first paint does not wait on it.
const SERVICES = ["datastore", "bridge", "intake", "drafts"];
const loader = (glue) => {
  const r = { module: null };
  let code;
  r.glue = () => (code ??= import(glue));
  r.ready = new Promise((go) => { r.start = go; })
    .then(r.glue)
    .then(async (m) => {
      await m.default({ module_or_path: m.wasm });
      r.module = m;
      return m;
    });
  // Elements waiting for a runtime are told if it cannot load (an error each, once).
  r.ready.catch(() => {});
  return r;
};
const light = loader(asset("form-bind.js"));
const withServices = loader(asset("form-bind-services.js"));
// The signing module (crate form-sign), loaded the first time a citizen signs: most never do.
let signing;
const loadSigner = () => {
  signing ??= import(asset("form-sign.js"))
    .then(async (m) => {
      await m.default({ module_or_path: m.wasm });
      return m;
    })
    .catch((e) => {
      // A failed load (offline a moment) is tried again on the next attempt.
      signing = undefined;
      throw e;
    });
  return signing;
};
// Settles once a drawing is on screen: its stylesheet `link` loaded (or failed) and a frame
// painted; after 3 s at most (a hidden tab paints no frame).
const onScreen = (link) => Promise.race([
  (async () => {
    if (!link.sheet) {
      await new Promise((done) => {
        link.addEventListener("load", done, { once: true });
        link.addEventListener("error", done, { once: true });
      });
    }
    await new Promise((painted) => requestAnimationFrame(() => setTimeout(painted, 0)));
  })(),
  new Promise((later) => setTimeout(later, 3000)),
]);
// What a drawing from the portal starts with (anything else is not drawn).
// (`data-ef-units`: the form has an address, and so needs the provinces.)
const DRAWN = /^<div id="ef-ssr" data-ef-takeover( data-ef-units)?>/;

class EForm extends HTMLElement {
  #token;
  static get observedAttributes() {
    return ["src", "lang", "submit", "datastore", "bridge", "intake", "drafts"];
  }

  connectedCallback() {
    // `data` set on the element before this script defined <e-form> is an own property that
    // would hide the accessor: take its value through the accessor instead.
    for (const name of ["data", "token"]) {
      if (Object.prototype.hasOwnProperty.call(this, name)) {
        const value = this[name];
        delete this[name];
        this[name] = value;
      }
    }
    this.schedule();
  }

  disconnectedCallback() {
    // Moved within the page: connectedCallback draws it again; removed: it is freed. What was
    // asked for early is not kept for a later connection (it would be old by then).
    this.early = null;
    this.schedule();
  }

  attributeChangedCallback(name, before, after) {
    if (before === after) return;
    // A language change keeps the form and what was typed.
    if (name === "lang" && this.mounted && after) {
      this.mounted.set_lang(after);
      return;
    }
    // A drawing of what the element no longer names is never shown, nor taken over.
    if (this.predrawn && this.predrawn !== this.drawingKey()) this.dropDrawing();
    this.schedule();
  }

  // The runtime this element needs: the one with services when it names a service of the host.
  runtimeFor() {
    return SERVICES.some((a) => this.hasAttribute(a)) ? withServices : light;
  }

  // Attribute and connection changes of one task (an element parsed with its attributes, or
  // appended and then given a src) end in one mount.
  schedule() {
    const rt = this.runtimeFor();
    if (!rt.module) {
      // Until the runtime is here: the drawing of what the element names now, and the
      // runtime's code fetched once it is on screen (or there is none to wait for). An
      // element not in the page yet waits for connectedCallback.
      if (this.isConnected) {
        const drawn = this.predraw();
        // After the drawing's request (on HTTP/1.1 that takes the connection already open); a
        // failed load is told by `ready`, below.
        rt.glue().catch(() => {});
        drawn.finally(() => {
          try {
            this.askEarly();
          } finally {
            rt.start();
          }
        });
      }
      if (this.waiting !== rt) {
        this.waiting = rt;
        rt.ready.then(() => this.schedule(), () => this.loadFailed());
      }
      return;
    }
    if (this.pending) return;
    this.pending = true;
    queueMicrotask(() => {
      this.pending = false;
      this.mounted?.unmount();
      this.mounted = null;
      if (this.isConnected) this.mount();
    });
  }

  // The definition asked for beside the runtime's code, which takes these answers at the mount:
  // once the code is here, the form does not wait a round trip more. The provinces too, once
  // the portal's drawing says the form has an address (called again when the drawing is in).
  askEarly() {
    const src = this.getAttribute("src");
    if (!src || !this.isConnected || this.mounted || this.runtimeFor().module) return;
    if (this.early?.given !== src) {
      let url;
      try {
        url = new URL(src, location.href).href;
      } catch {
        return;
      }
      this.early = { given: src, url, asked: [] };
      this.ask(url);
    }
    if (!this.early.units && this.shadowRoot?.querySelector("#ef-ssr[data-ef-units]")) {
      this.early.units = true;
      this.ask(new URL("/refdata/provinces.json", this.early.url).href);
    }
  }

  ask(url) {
    const response = fetch(url);
    // Taken by the runtime, or dropped (the element changed): never an uncaught error.
    response.catch(() => {});
    this.early.asked.push([url, response]);
  }

  // The runtime's code could not be loaded: said in the element (a drawn form stays, with what
  // was typed, but cannot be sent) and by an event.
  loadFailed() {
    const message = { vi: "Không tải được biểu mẫu. Vui lòng tải lại trang.", en: "The form could not be loaded. Please reload the page." };
    const shadow = this.shadowRoot ?? this.attachShadow({ mode: "open" });
    const alert = document.createElement("p");
    alert.className = "ef-panel ef-panel--warn";
    alert.setAttribute("role", "alert");
    alert.lang = this.getAttribute("lang") === "en" ? "en" : "vi";
    alert.textContent = message[alert.lang];
    shadow.prepend(alert);
    this.dispatchEvent(new CustomEvent("eform:error", { bubbles: true, composed: true, detail: { code: "load-failed", message } }));
  }

  // What a drawing depends on: the src, the language, and whether the form files a dossier.
  drawingKey() {
    const src = this.getAttribute("src");
    return src ? `${src}\n${this.getAttribute("lang") === "en" ? "en" : "vi"}\n${this.hasAttribute("intake")}` : null;
  }

  dropDrawing() {
    this.predrawn = null;
    this.shadowRoot?.getElementById("ef-ssr")?.remove();
  }

  // The form drawn by the portal, shown until the runtime takes it over (once per src and
  // language). Settles once it is on screen, or there is none: every call for the same drawing
  // (an element upgraded with its attributes hears of each) waits for that one.
  predraw() {
    const key = this.drawingKey();
    if (!key) return Promise.resolve();
    if (this.predrawn !== key) {
      this.predrawn = key;
      this.drawing = this.draw(key);
    }
    return this.drawing;
  }

  async draw(key) {
    // The drawing the host's server put inside the element (a declarative shadow root, from
    // `src` asked with `?as=shadow`): on screen already, with its stylesheet; taken over as a
    // fetched one is (a drawing for a src or language the element no longer names was dropped).
    const inline = this.shadowRoot?.getElementById("ef-ssr");
    const lang = this.getAttribute("lang") === "en" ? "en" : "vi";
    if (inline && inline.querySelector(".ef-embed")?.getAttribute("lang") === lang) {
      inline.querySelector("form")?.addEventListener("submit", (e) => e.preventDefault());
      // This build's stylesheet (a drawing the host kept from before a release names an old
      // one, which the runtime's form would keep too).
      let link = this.shadowRoot.querySelector('link[rel="stylesheet"]');
      if (!link) {
        link = document.createElement("link");
        link.rel = "stylesheet";
        this.shadowRoot.prepend(link);
      }
      if (link.href !== css) link.href = css;
      await onScreen(link);
      return;
    }
    // Drawn in another language than the element's: the portal's drawing in its own is asked
    // for instead.
    inline?.remove();
    let url;
    try {
      url = new URL(this.getAttribute("src"), document.baseURI);
    } catch {
      return;
    }
    // Only from the page's own origin (where the host serves eform): HTML from anywhere else
    // is never put in the page.
    if (url.origin !== location.origin) return;
    url.searchParams.set("as", "html");
    url.searchParams.set("lang", lang);
    if (this.hasAttribute("intake")) url.searchParams.set("submit", "dossier");
    let html = null;
    // The drawing is asked for first: on HTTP/1.1 it takes the connection already open.
    const asked = fetch(url, { credentials: "same-origin", mode: "same-origin" });
    askStyle();
    try {
      const r = await asked;
      if (r.ok && (r.headers.get("content-type") || "").startsWith("text/html")) html = await r.text();
    } catch {
      return;
    }
    // The portal's drawing (form-html escapes every text of the definition), for what the
    // element names now, while the runtime has not drawn the form yet, and the page's parser
    // has not meanwhile attached one of the host's (this script run while the page was read).
    if (!html || !DRAWN.test(html) || this.predrawn !== key || this.drawingKey() !== key || this.mounted || this.runtimeFor().module) return;
    if (this.shadowRoot?.getElementById("ef-ssr")) return this.draw(key);
    const shadow = this.shadowRoot ?? this.attachShadow({ mode: "open" });
    shadow.innerHTML = `<link rel="stylesheet" href="${css}">${html}`;
    // Nothing is sent before the runtime has the form: Enter or a button does nothing yet.
    shadow.querySelector("form")?.addEventListener("submit", (e) => e.preventDefault());
    await onScreen(shadow.querySelector("link"));
  }

  // The data as entered so far (undefined until the form is drawn).
  get data() {
    return this.mounted && !this.pending ? this.mounted.data() : this.pendingData;
  }

  // Replaces the data (an object); set before the form is drawn, the form starts from it.
  set data(value) {
    // While a new mount is scheduled (a new src), the data is for the form to come.
    if (this.mounted && !this.pending) this.mounted.set_data(value);
    else this.pendingData = value;
  }

  // The host's token for its services: a string, or a function giving one (or a promise of
  // one) when asked, before each request. Write-only: reading it gives undefined.
  set token(value) {
    this.#token = value;
  }

  get token() {
    return undefined;
  }

  // Shows every error as a submit would (without sending) and returns
  // { valid, errors: [{ pointer, code, message: { vi, en } }] }.
  validate() {
    return this.mounted ? this.mounted.validate() : { valid: false, errors: [] };
  }

  mount() {
    const src = this.getAttribute("src");
    if (!src) {
      this.dispatchEvent(new CustomEvent("eform:error", {
        bubbles: true,
        composed: true,
        detail: { code: "src-missing", message: { vi: "Thiếu thuộc tính src của <e-form>.", en: "The <e-form> element has no src attribute." } },
      }));
      return;
    }
    const services = {
      datastore: this.getAttribute("datastore"),
      bridge: this.getAttribute("bridge"),
      intake: this.getAttribute("intake"),
      drafts: this.getAttribute("drafts"),
      token: () => this.#token,
      signer: loadSigner,
    };
    const module = this.runtimeFor().module;
    // The answer asked for early, if it is for what the element names now.
    if (this.early?.given === src) for (const [url, response] of this.early.asked) module.asked(url, response);
    this.early = null;
    this.mounted = module.mount_form(this, src, this.getAttribute("lang"), this.getAttribute("submit"), css, services);
    if (this.pendingData !== undefined) {
      this.mounted.set_data(this.pendingData);
      this.pendingData = undefined;
    }
  }
}

if (!customElements.get("e-form")) customElements.define("e-form", EForm);

// A script importing this module gets it once a runtime is ready, so `renderForm` draws at
// once: on a page without <e-form>, the build without services, fetched now; on a page with
// elements, the first that its elements fetch (a page of the host's services does not fetch
// the other build for nothing).
if (!document.querySelector("e-form")) light.start();
await Promise.race([light.ready, withServices.ready]);

// For pages that build their own: draws `definition` (an object or JSON text) inside `target`,
// an element of the page, which links eform's stylesheet itself (`stylesheet` below). Returns
// the form: `data()`, `set_data(object)`, `validate()`, `set_lang("vi" | "en")`, `unmount()`.
// One such form per page (its element ids are the form's own); use <e-form> for several.
export function renderForm(target, definition, { lang, submit } = {}) {
  const text = typeof definition === "string" ? definition : JSON.stringify(definition);
  const units = new URL("../refdata/admin-units.json", import.meta.url).href;
  return (light.module ?? withServices.module).render_form(target, text, lang, submit, units);
}

export const stylesheet = css;
