// What every browser test of the plugin starts from: a tracking server seeded by the real SDKs
// (tracker.ts), the plugin host serving the built dist through the plugin.json proxy route
// (host/), one Debian Chromium, and a fresh page per test, after which no console error, page
// error, failed or unanswered request may be left (a superseded tracker read may be cancelled).
// `usePluginSession()` registers the jest hooks; the exported bindings are live: they hold the
// running session once its beforeAll has run.
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { testIds } from '../../packages/grafana-app-plugin/src/components/testIds';
import { type Browser, launch } from './browser';
import { buildHost } from './host/build';
import { type RunningHost, startHost } from './host/server';
import { artifactsDir, pluginDir } from './paths';
import { type SeededTracker, startSeededTracker } from './tracker';

export const PLUGIN_ID = 'beacon-observability-app';
export const CORRELATION_ID = 'req-e2e-checkout'; // seed-app.cjs

/**
 * The plugin cancels a read of the tracker a newer one supersedes (another filter, another issue)
 * or whose page is left: a GET through the proxy route may end net::ERR_ABORTED; nothing else may
 * but the assets a page leaves behind (below).
 */
const trackerRead = (method: string, url: string) =>
  method === 'GET' &&
  new URL(url).pathname.startsWith(`/api/plugin-proxy/${PLUGIN_ID}/tracker/api/v1/`);

/**
 * Grafana's fonts and icons load when text first takes their face or an icon is first drawn, so
 * one may still be loading when a test goes to the next page, which aborts it (CI, 2026-12-04: a
 * Roboto file, in a time-zone test that visits two pages). No test looks at fonts or icons.
 */
const lazyAsset = (method: string, url: string) =>
  method === 'GET' && /^\/public\/(?:fonts|build\/img\/icons)\//.test(new URL(url).pathname);

export let tracker: SeededTracker;
export let host: RunningHost;
export let browser: Browser;
export let page: Page;

export function usePluginSession(): void {
  beforeAll(async () => {
    const hostDir = join(artifactsDir, 'host');
    [tracker] = await Promise.all([startSeededTracker(), buildHost(hostDir)]);
    host = await startHost({
      pluginDist: join(pluginDir, 'dist'),
      hostDir,
      settings: {
        jsonData: { trackerUrl: tracker.url },
        secureJsonData: { apiToken: tracker.apiToken },
      },
    });
    browser = await launch(undefined, trackerRead, lazyAsset);
    // The first load compiles the 8 MiB host bundle, which took over 30 s in CI while every
    // other package's tests shared the two cores. Load it here, with room, so the tests time
    // only the plugin (the bundle is cacheable). Twice: Chromium stores a script's code cache
    // only after the script's second run, so only then are the HTTP and code caches both warm.
    for (let load = 0; load < 2; load++) {
      const warm = await browser.open();
      await warm.goto(app('issues'), { timeout: 150_000 });
      await visible(testIds.issues.row, warm, 150_000);
      await warm.close();
    }
  }, 480_000);

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await tracker?.close();
  });

  beforeEach(async () => {
    browser.problems.length = 0;
    browser.cancelled.length = 0;
    forgiven.clear();
    host.unanswered.length = 0;
    host.proxied.length = 0;
    page = await browser.open();
    // Room for a busy CI machine: these bound how long the page may take, not what it shows.
    page.setDefaultNavigationTimeout(90_000);
    page.setDefaultTimeout(60_000);
  });

  afterEach(async () => {
    await page.close();
    await host.settled();
    dropForgiven();
    // Every test: no console error, no page error, no failed or unanswered request, no dialog.
    expect({ browser: browser.problems, host: host.unanswered }).toEqual({ browser: [], host: [] });
  });
}

/** The URL of one of the app's pages. */
export const app = (path: string) => `${host.url}/a/${PLUGIN_ID}/${path}`;

/**
 * Waits until what the page asked for has come: the host's answers sent, rendered (two frames),
 * and every image made of them loaded. Leaving a page aborts an image still loading, which the
 * session counts as a failed request.
 */
export async function imagesLoaded(): Promise<void> {
  await host.settled();
  await page.evaluate(
    () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))),
  );
  await page.waitForFunction(() => [...document.images].every((img) => img.complete));
}

/** Waits for a test id, failing at once with the host's error when the plugin failed to load. */
export async function visible(
  testId: string,
  within: Page = page,
  timeout = 60_000,
): Promise<Locator> {
  const found = within.getByTestId(testId).first();
  await Promise.race([
    found.waitFor({ state: 'visible', timeout }),
    within
      .waitForFunction(() => window.beaconHost?.error, null, { timeout })
      .then(async () => {
        throw new Error(`the host failed: ${await within.evaluate(() => window.beaconHost.error)}`);
      }),
  ]);
  return found;
}

/** Renders a nested panel as Grafana renders a panel plugin (host.tsx renderPanel). */
export async function panel(
  module: string,
  options: object,
  variables: Record<string, string>,
): Promise<void> {
  const request = {
    module,
    options,
    variables,
    width: 900,
    height: 420,
    from: Date.now() - 24 * 3600_000,
    to: Date.now(),
  };
  await page.goto(`${host.url}/panel?panel=${encodeURIComponent(JSON.stringify(request))}`);
}

/** Runs `body` with the plugin's tracker URL set to one where nothing listens, restoring it after. */
export async function withTrackerUnreachable(body: () => Promise<void>): Promise<void> {
  const saved = host.settings.jsonData.trackerUrl;
  host.settings.jsonData.trackerUrl = 'http://127.0.0.1:9'; // nothing listens on the discard port
  try {
    await body();
  } finally {
    host.settings.jsonData.trackerUrl = saved;
  }
}

/** The statuses the running test forgives (forgiveFailedResources), until its page is closed. */
const forgiven = new Set<number>();

/** Drops the browser's lines about resources answered a forgiven status. */
function dropForgiven(): void {
  const kept = browser.problems.filter((p) => ![...forgiven].some((s) => p.includes(String(s))));
  browser.problems.splice(0, browser.problems.length, ...kept);
}

/**
 * Forgives the browser's lines about resources answered `status` (it logs them as failed
 * resources), for a test whose point is that answer: those logged so far and those still to
 * come before its page is closed. The issues page asks for issues and stats at once and shows
 * its error with the first answer: the second can be logged after the test is done looking (CI,
 * 2026-12-04: the stats' 401 logged after the test had forgiven the issues').
 */
export function forgiveFailedResources(status: number): void {
  forgiven.add(status);
  dropForgiven();
}
