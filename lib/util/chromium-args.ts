/**
 * The command line of every Chromium Flowsight starts through Playwright: the evidence reports' renderer
 * (server/reports/render-pages.ts), the e2e tests and bench:ui. Always Debian's Chromium, never a
 * downloaded one.
 */

/**
 * Playwright's own `--disable-features` list (playwright-core 1.65, its chromiumSwitches.ts). Chromium keeps
 * only the last `--disable-features` of its command line, whole (puppeteer/puppeteer#10883), and Playwright
 * puts the caller's arguments after its own: a list of ours must carry Playwright's too, or its switches
 * (PaintHolding, HttpsUpgrades, ...) silently come back on. chromium-args.test.ts reads playwright-core's
 * list and fails when an upgrade changes it.
 */
export const PLAYWRIGHT_DISABLED_FEATURES: readonly string[] = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
];

/**
 * Chromium's own WebUI for its toolbar: the address bar's suggestion popups and the reload button. A
 * headless Chromium 156 (Debian's) still loads them at start, in a renderer of their own with some 400
 * chrome:// modules: ~1.5 s of CPU in the first seconds after launch, more than the map's page used for
 * its whole first render in bench:ui, on a 2-core machine the server shares. No page of ours is shown
 * with a toolbar.
 */
export const TOOLBAR_WEBUI_FEATURES: readonly string[] = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup', 'WebUIOmniboxFullPopup', 'WebUIReloadButton'];

/** What Chromium needs in a container without a GPU, a sandbox or network access, and without its toolbar's WebUI. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  `--disable-features=${[...PLAYWRIGHT_DISABLED_FEATURES, ...TOOLBAR_WEBUI_FEATURES].join(',')}`,
];
