// The phone both mobile scripts load pages on: Lighthouse's mobile profile (its "simulated slow
// 4G" figures, applied by the browser) — 4× CPU slowdown, 150 ms round trip, 1.6 Mbit/s down,
// 750 kbit/s up, 360 px wide — with nothing cached.
export const PROFILE = { cpu: 4, latency: 150, down: (1.6 * 1024 * 1024) / 8, up: (750 * 1024) / 8, width: 360, height: 640 };

/// A new context and page on the profile (`init`: a script run in every page before its own),
/// and the page's devtools session (network enabled).
export async function phonePage(browser, init) {
  const context = await browser.newContext({ viewport: { width: PROFILE.width, height: PROFILE.height }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  if (init) await context.addInitScript(init);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: PROFILE.latency, downloadThroughput: PROFILE.down, uploadThroughput: PROFILE.up });
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: PROFILE.cpu });
  return { context, page, cdp };
}
