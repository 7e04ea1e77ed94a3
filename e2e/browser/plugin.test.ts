// The built Grafana app plugin (packages/grafana-app-plugin/dist) in Debian's Chromium, loaded as
// Grafana loads plugins (host/: SystemJS with Grafana's shared dependencies, plugin.init(meta),
// the root page; panels as Grafana renders a panel plugin), reading a real tracking server seeded
// by the real @sentry/node and OpenTelemetry exporter through the plugin.json proxy route.
// Screenshots go to e2e/.artifacts/screenshots.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { testIds } from '../../packages/grafana-app-plugin/src/components/testIds';
import { type Browser, launch } from './browser';
import { buildHost } from './host/build';
import { type RunningHost, startHost } from './host/server';
import { artifactsDir, pluginDir } from './paths';
import { type SeededTracker, startSeededTracker } from './tracker';

const PLUGIN_ID = 'beacon-observability-app';
const CORRELATION_ID = 'req-e2e-checkout'; // seed-app.cjs
const XSS = '<img src=x onerror=alert(1)>';
const screenshots = join(artifactsDir, 'screenshots');

let tracker: SeededTracker;
let host: RunningHost;
let browser: Browser;
let page: Page;

interface IssueSummary {
  id: number;
  title: string;
  status: string;
}

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
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
  browser = await launch();
  // The first load compiles the 8 MiB host bundle, which took over 30 s in CI while every other
  // package's tests shared the two cores. Load it here, with room, so the tests time only the
  // plugin (the bundle is cacheable). Twice: Chromium stores a script's code cache only after
  // the script's second run, so only then are the HTTP and code caches both warm.
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
  host.unanswered.length = 0;
  host.proxied.length = 0;
  page = await browser.open();
  // Room for a busy CI machine: these bound how long the page may take, not what it shows.
  page.setDefaultNavigationTimeout(90_000);
  page.setDefaultTimeout(60_000);
});

afterEach(async () => {
  await page.close();
  // Every test: no console error, no page error, no failed or unanswered request, no dialog.
  expect({ browser: browser.problems, host: host.unanswered }).toEqual({ browser: [], host: [] });
});

/** Waits for a test id, failing at once with the host's error when the plugin failed to load. */
async function visible(testId: string, within: Page = page, timeout = 60_000) {
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

const app = (path: string) => `${host.url}/a/${PLUGIN_ID}/${path}`;

async function issueByTitle(part: string): Promise<IssueSummary> {
  const { items } = await tracker.api<{ items: IssueSummary[] }>('/issues?limit=100');
  const issue = items.find((i) => i.title.includes(part));
  if (!issue)
    throw new Error(`no issue titled "${part}" among ${items.map((i) => i.title).join(', ')}`);
  return issue;
}

test('the issues page lists what @sentry/node sent, through the proxy route with the bearer token', async () => {
  await page.goto(app('issues'));
  await visible(testIds.issues.row);
  const titles = await page.getByTestId(testIds.issues.row).allInnerTexts();
  expect(
    titles.some((t) =>
      t.includes("TypeError: Cannot read properties of undefined (reading 'total')"),
    ),
  ).toBe(true);
  expect(titles.some((t) => t.includes(XSS))).toBe(true);
  await expect(visible(testIds.stats.container)).resolves.toBeTruthy();
  // Every tracker call went through api/plugin-proxy/<id>/tracker and was answered 200.
  expect(host.proxied.length).toBeGreaterThan(0);
  expect(host.proxied.filter((p) => !p.endsWith('→ 200'))).toEqual([]);
  await page.screenshot({ path: join(screenshots, 'issues.png') });
});

test('an error message that is HTML stays inert text on the list and the detail page', async () => {
  await page.goto(app('issues'));
  await visible(testIds.issues.row);
  expect(await page.locator('img[src="x"]').count()).toBe(0);
  const xss = await issueByTitle(XSS);
  await page.goto(app(`issues/${xss.id}`));
  const title = await visible(testIds.issue.title);
  expect(await title.innerText()).toContain(XSS);
  expect(await page.locator('img[src="x"]').count()).toBe(0);
});

test('the issue detail shows the stack trace with in-app frames, tags, breadcrumbs and a session link', async () => {
  const issue = await issueByTitle("reading 'total'");
  await page.goto(app(`issues/${issue.id}`));
  await visible(testIds.issue.exception);
  const frames = page.getByTestId(testIds.issue.frame);
  const inApp = frames.and(page.locator('[data-in-app="true"]'));
  expect(await inApp.count()).toBeGreaterThan(0);
  // The innermost in-app frame is seed-app.cjs's loadCart, with its own line as context.
  expect(await inApp.first().innerText()).toContain('loadCart');
  expect(await inApp.first().getByTestId(testIds.issue.contextLine).innerText()).toContain(
    'cart.items.total',
  );
  expect(await (await visible(testIds.issue.tags)).innerText()).toContain('checkout');
  expect(await (await visible(testIds.issue.breadcrumbs)).innerText()).toContain(
    'GET /api/cart/42',
  );
  const link = await visible(testIds.issue.sessionLink);
  expect(await link.getAttribute('href')).toContain(`/sessions/${CORRELATION_ID}`);
  await page.screenshot({ path: join(screenshots, 'issue-detail.png'), fullPage: true });
});

test('a status change in the page reaches the tracking server', async () => {
  const issue = await issueByTitle("reading 'total'");
  expect(issue.status).toBe('open');
  await page.goto(app(`issues/${issue.id}`));
  await visible(testIds.issue.title);
  await page.getByRole('radio', { name: 'investigating' }).click({ force: true });
  await page.getByTestId(testIds.issue.status).getByText('investigating').waitFor();
  const stored = await tracker.api<{ status: string }>(`/issues/${issue.id}`);
  expect(stored.status).toBe('investigating');
  expect(
    host.proxied.some((p) => p.startsWith(`PATCH tracker/api/v1/issues/${issue.id} → 200`)),
  ).toBe(true);
});

test('the debug session shows the waterfall with the slow span, the error and memory snapshots', async () => {
  await page.goto(app('sessions'));
  await visible(testIds.sessions.row);
  expect(await page.getByTestId(testIds.sessions.row).allInnerTexts()).toEqual(
    expect.arrayContaining([expect.stringContaining(CORRELATION_ID)]),
  );
  await page.getByRole('link', { name: CORRELATION_ID }).click();
  await visible(testIds.session.operation);
  const operations = page.getByTestId(testIds.session.operation);
  const names = await operations.allInnerTexts();
  for (const name of [
    'POST /api/checkout',
    'reserve inventory',
    'charge card',
    'POST /checkout',
    'SELECT carts',
  ])
    expect(names.some((n) => n.includes(name))).toBe(true);
  const slow = operations.and(page.locator('[data-slow="true"]'));
  expect(await slow.allInnerTexts()).toEqual(
    expect.arrayContaining([expect.stringContaining('charge card')]),
  );
  await visible(testIds.session.errorMarker);
  await visible(testIds.session.memory);
  await page.screenshot({ path: join(screenshots, 'debug-session.png'), fullPage: true });
});

/** Renders a nested panel as Grafana renders a panel plugin (host.tsx renderPanel). */
async function panel(module: string, options: object, variables: Record<string, string>) {
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

test('the error issues panel lists the top issues of the dashboard service variable', async () => {
  // Any status: another test moves the TypeError issue to investigating.
  await panel(
    'panels/issues-panel',
    { service: '$service', status: 'any' },
    { service: 'checkout' },
  );
  await visible(testIds.panels.issueRow);
  const rows = await page.getByTestId(testIds.panels.issueRow).allInnerTexts();
  expect(rows.some((r) => r.includes("reading 'total'"))).toBe(true);
  expect(rows.some((r) => r.includes(XSS))).toBe(true);
  await page.screenshot({ path: join(screenshots, 'issues-panel.png') });

  // Another service's variable value: nothing of checkout's.
  await panel(
    'panels/issues-panel',
    { service: '$service', status: 'any' },
    { service: 'billing' },
  );
  await visible(testIds.state.empty);
  expect(await page.getByTestId(testIds.panels.issueRow).count()).toBe(0);

  // Several values picked (Grafana writes them {a,b}): the tracker is asked for any of them.
  await panel(
    'panels/issues-panel',
    { service: '$service', status: 'any' },
    { service: '{billing,checkout}' },
  );
  await visible(testIds.panels.issueRow);
  const either = await page.getByTestId(testIds.panels.issueRow).allInnerTexts();
  expect(either.some((r) => r.includes("reading 'total'"))).toBe(true);
});

test('the debug session panel draws the timeline of the correlation id variable', async () => {
  await panel('panels/session-panel', {}, { correlation_id: CORRELATION_ID });
  await visible(testIds.session.operation);
  const names = await page.getByTestId(testIds.session.operation).allInnerTexts();
  expect(names.some((n) => n.includes('charge card'))).toBe(true);
  await page.screenshot({ path: join(screenshots, 'session-panel.png') });
});

test('an unreachable tracker points the user to the configuration page', async () => {
  const saved = host.settings.jsonData.trackerUrl;
  host.settings.jsonData.trackerUrl = 'http://127.0.0.1:9'; // nothing listens on the discard port
  try {
    await page.goto(app('issues'));
    await visible(testIds.state.error);
    expect(await page.getByTestId(testIds.state.error).innerText()).toMatch(
      /unreachable|could not be reached/i,
    );
    await visible(testIds.state.configLink);
  } finally {
    host.settings.jsonData.trackerUrl = saved;
  }
  // The browser logs the 502s as failed resources; they are this test's point.
  browser.problems.splice(
    0,
    browser.problems.length,
    ...browser.problems.filter((p) => !p.includes('502')),
  );
});

test('an unset API token reaches the tracker as Grafana sends it (Bearer <no value>) and points the user to the configuration page', async () => {
  const saved = host.settings.secureJsonData;
  host.settings.secureJsonData = {};
  try {
    await page.goto(app('issues'));
    await visible(testIds.state.error);
    expect(await page.getByTestId(testIds.state.error).innerText()).toMatch(
      /refused the API token/i,
    );
    await visible(testIds.state.configLink);
    // The tracker answered: its 401, not a 502 from the host.
    expect(host.proxied.length).toBeGreaterThan(0);
    expect(host.proxied.filter((p) => !p.endsWith('→ 401'))).toEqual([]);
  } finally {
    host.settings.secureJsonData = saved;
  }
  // The browser logs the 401s as failed resources; they are this test's point.
  browser.problems.splice(
    0,
    browser.problems.length,
    ...browser.problems.filter((p) => !p.includes('401')),
  );
});
