// page.js — the runtime of the portal's own citizen form page (`/f/{id}`): the form the portal
// drew in the page (`#ef-ssr`) is taken over by form-bind, keeping what was typed before the code
// arrived: the build with the host's services (here the portal's own) for someone signed in, the
// smaller one without them for a visitor (who is asked to sign in on Submit). Served by the portal
// with the current build's file names filled in; no inline script anywhere (strict CSP).
const asset = (name) => new URL(`../embed/${name}`, import.meta.url).href;
// The signing module (crate form-sign), loaded the first time a citizen signs.
let signing;
const loadSigner = () => {
  signing ??= import(asset("__SIGN__"))
    .then(async (m) => {
      await m.default({ module_or_path: asset("__SIGN_WASM__") });
      return m;
    })
    .catch((e) => {
      signing = undefined;
      throw e;
    });
  return signing;
};
const drawn = document.querySelector("#ef-ssr[data-ef-takeover]");
// Without WebAssembly the runtime cannot start: the page stays as drawn (it posts to the
// portal), and nothing is asked for that it would not use (not even a read of the data store).
if (drawn && typeof WebAssembly === "object") {
  // The drawn form first: the code is fetched once it is on screen (the browser has reported
  // its first contentful paint; else the next frame), not while the line is busy with the page
  // and its stylesheet. A paint the browser never reports (a tab hidden before it, a browser
  // that keeps no such entry) does not keep the code away: it comes after 3 s at most.
  await new Promise((painted) => {
    const shown = () => performance.getEntriesByName("first-contentful-paint").length > 0;
    if (shown()) return painted();
    setTimeout(painted, 3000);
    if (!PerformanceObserver.supportedEntryTypes?.includes("paint")) {
      return requestAnimationFrame(() => setTimeout(painted, 0));
    }
    const seen = new PerformanceObserver(() => {
      if (shown()) {
        seen.disconnect();
        painted();
      }
    });
    seen.observe({ type: "paint", buffered: true });
  });
  // The definition asked for beside the code (the runtime takes this answer): once the code is
  // here, the form does not wait a round trip more for it. The provinces too, for a form with
  // an address (the portal marks it).
  const asked = [];
  if (drawn.dataset.efSrc) {
    const src = new URL(drawn.dataset.efSrc, location.href).href;
    asked.push([src, fetch(src)]);
    if (drawn.hasAttribute("data-ef-units")) {
      const units = new URL("/refdata/provinces.json", src).href;
      asked.push([units, fetch(units)]);
    }
  }
  // For a signed-in citizen, what the runtime asks the portal's services for first (the data
  // store's values the form binds, the drafts list): the portal names them, on this origin.
  for (const early of (drawn.dataset.efEarly ?? "").split(" ").filter(Boolean)) {
    try {
      const url = new URL(early, location.href);
      if (url.origin === location.origin) asked.push([url.href, fetch(url.href)]);
    } catch {
      // Not an address: the runtime asks for what it needs itself.
    }
  }
  // Taken by the runtime, or never looked at (the code did not come): not uncaught errors.
  for (const [, response] of asked) response.catch(() => {});
  // The glue and the wasm asked for together (the wasm does not wait a round trip for the glue);
  // the glue compiles the wasm as it streams in.
  const signedIn = drawn.hasAttribute("data-ef-user");
  const glue = import(asset(signedIn ? "__RUNTIME__" : "__PLAIN__"));
  const wasm = fetch(asset(signedIn ? "__RUNTIME_WASM__" : "__PLAIN_WASM__"));
  wasm.catch(() => {});
  try {
    const m = await glue;
    await m.default({ module_or_path: wasm });
    for (const [url, response] of asked) m.asked(url, response);
    // Held by the page's element for its life: the bound form freed would be unbound.
    drawn.eform = m.mount_page(drawn, loadSigner);
  } catch {
    // The form as drawn stays and still works without the runtime (it posts to the portal).
  }
}
