// The built Grafana app plugin (packages/grafana-app-plugin/dist) in Debian's Chromium, loaded as
// Grafana loads plugins (host/: SystemJS with Grafana's shared dependencies, plugin.init(meta),
// the root page; panels as Grafana renders a panel plugin), reading a real tracking server seeded
// by the real @sentry/node and OpenTelemetry exporter through the plugin.json proxy route.
// Screenshots go to e2e/.artifacts/screenshots.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testIds } from '../../packages/grafana-app-plugin/src/components/testIds';
import { artifactsDir } from './paths';
import {
  app,
  browser,
  CORRELATION_ID,
  host,
  imagesLoaded,
  page,
  panel,
  tracker,
  usePluginSession,
  visible,
  withTrackerUnreachable,
  forgiveFailedResources,
} from './plugin-session';

const XSS = '<img src=x onerror=alert(1)>';
const screenshots = join(artifactsDir, 'screenshots');

interface IssueSummary {
  id: number;
  title: string;
  status: string;
}

usePluginSession();
beforeAll(() => mkdirSync(screenshots, { recursive: true }));

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

test("the issue detail lists the event's attachment and downloads its scrubbed bytes through the proxy route", async () => {
  const issue = await issueByTitle("reading 'total'");
  await page.goto(app(`issues/${issue.id}`));
  const table = await visible(testIds.issue.attachments);
  const saved = async (filename: string) => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      table.getByRole('button', { name: `Download ${filename}` }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(filename);
    return readFileSync(await download.path());
  };
  expect((await saved('cart.log')).toString('utf8')).toBe(
    'GET /api/cart/42\nAuthorization: Bearer [Filtered]\n',
  );
  // Read as bytes all the way (responseType arraybuffer): as text, 255 and 254 would not survive.
  expect([...(await saved('cart.bin'))]).toEqual([0, 255, 254, 128, 10]);
  expect(
    host.proxied
      .filter((p) => p.startsWith('GET tracker/api/v1/attachments/'))
      .map((p) => p.slice(-5)),
  ).toEqual(['→ 200', '→ 200']);
});

test('the issue detail shows what a user wrote about the error, sent with captureFeedback: with its event and on the issue', async () => {
  const issue = await issueByTitle("reading 'total'");
  await page.goto(app(`issues/${issue.id}`));
  for (const id of [testIds.issue.eventFeedback, testIds.issue.feedback]) {
    const text = await (await visible(id)).innerText();
    expect(text).toContain('Dana <dana@example.com>');
    expect(text).toContain('The cart page went blank.\nI had 3 items in it.');
  }
  expect(
    host.proxied.some((p) => p.startsWith(`GET tracker/api/v1/issues/${issue.id}/feedback`)),
  ).toBe(true);
});

test('the user feedback page lists all of it, newest first; feedback about an error links to its issue', async () => {
  const issue = await issueByTitle("reading 'total'");
  await page.goto(app('feedback'));
  const entries = page.getByTestId(testIds.feedback.list).getByRole('listitem');
  await entries.first().waitFor();
  const texts = await entries.allInnerTexts();
  const dana = texts.findIndex((t) => t.includes('The cart page went blank.'));
  const eli = texts.findIndex((t) => t.includes('Where do I find my receipts?'));
  // Both listed (the SDK sends each on a request of its own: they may come in either order).
  expect([dana >= 0, eli >= 0]).toEqual([true, true]);
  expect(texts[dana]).toContain(issue.title);
  expect(texts[eli]).toContain('Eli · ');
  // The widget's screenshot, shown from the bytes the tracker kept: Chromium decodes them.
  const shot = entries
    .nth(eli)
    .getByRole('img', { name: 'screenshot.png, sent with the feedback' });
  await shot.waitFor();
  const decoded = await shot.evaluate((img: HTMLImageElement) =>
    img.decode().then(() => [img.naturalWidth, img.naturalHeight]),
  );
  expect(decoded).toEqual([1, 1]);
  expect(
    host.proxied.some((p) => /^GET tracker\/api\/v1\/feedback\/attachments\/\d+ → 200$/.test(p)),
  ).toBe(true);
  await page.screenshot({ path: join(screenshots, 'feedback.png') });
  // A search asks the tracker for what it finds: Eli's words, not Dana's.
  await page.getByTestId(testIds.feedback.search).fill('RECEIPTS');
  await page.getByTestId(testIds.feedback.search).press('Enter');
  await page.waitForURL((url) => url.searchParams.get('q') === 'RECEIPTS');
  await entries.filter({ hasText: 'The cart page went blank.' }).waitFor({ state: 'detached' });
  expect(await entries.allInnerTexts()).toEqual([expect.stringContaining('Eli · ')]);
  await page.goto(app('feedback'));
  await entries.nth(dana).waitFor();
  await imagesLoaded();
  await entries.nth(dana).getByRole('link', { name: issue.title }).click();
  await page.getByTestId(testIds.issue.title).waitFor();
  expect(new URL(page.url()).pathname).toMatch(new RegExp(`/issues/${issue.id}$`));
  expect(host.proxied).toContain('GET tracker/api/v1/feedback → 200');
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

test('a filter changed while the list loads cancels the superseded request in the browser', async () => {
  // The list of open issues is held unanswered; choosing another status must cancel its request
  // (the plugin unsubscribes Grafana's fetch, which aborts it), not leave it waiting behind the
  // proxy while the resolved list is shown.
  const isHeld = (url: string) => {
    const u = new URL(url);
    return u.pathname.endsWith('/tracker/api/v1/issues') && u.searchParams.get('status') === 'open';
  };
  let release = () => {};
  const released = new Promise<void>((r) => (release = r));
  await page.route(
    (u) => isHeld(u.href),
    async (route) => {
      await released;
      await route.continue().catch(() => undefined); // the page has cancelled it
    },
  );
  try {
    const sent = page.waitForRequest((r) => isHeld(r.url()));
    await page.goto(app('issues?status=open'));
    const held = await sent;
    await page
      .getByTestId(testIds.issues.choice('status'))
      .getByRole('radio', { name: 'Resolved' })
      .click({ force: true });
    await page.waitForURL(/status=resolved/);
    for (const deadline = Date.now() + 10_000; !browser.cancelled.length;) {
      if (Date.now() > deadline) throw new Error('the superseded request was never cancelled');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(browser.cancelled).toEqual([`GET ${held.url()}`]);
    await page
      .getByTestId(testIds.state.empty)
      .or(page.getByTestId(testIds.issues.row).first())
      .waitFor();
  } finally {
    release();
    await page.unrouteAll({ behavior: 'ignoreErrors' });
  }
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
  // The errors came at the session's end (+2.98 s, +2.99 s of 3.0x s): their markers leave the
  // axis label there readable.
  const boxes = async (testId: string) =>
    Promise.all((await page.getByTestId(testId).all()).map(async (l) => l.boundingBox()));
  const labels = await boxes(testIds.session.axisLabel);
  const markers = await boxes(testIds.session.errorMarker);
  expect([labels.length, markers.length]).toEqual([2, 2]);
  for (const m of markers)
    for (const l of labels)
      expect(
        m!.x < l!.x + l!.width &&
          l!.x < m!.x + m!.width &&
          m!.y < l!.y + l!.height &&
          l!.y < m!.y + m!.height,
      ).toBe(false);
  await visible(testIds.session.memory);
  await page.screenshot({ path: join(screenshots, 'debug-session.png'), fullPage: true });
});

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

// Last of the tests that read what the seed sent: it adds a project, which they do not expect.
test('a second project brings the Project filter: its issues, feedback and sessions alone, chosen by name', async () => {
  const billing = await tracker.addProject('billing');
  const sentry = `Sentry sentry_version=7, sentry_key=${billing.key}`;
  const res = await fetch(`${tracker.url}/api/${billing.id}/store/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Sentry-Auth': sentry },
    // Part of the seeded checkout, whose session is then of both projects.
    body: JSON.stringify({
      event_id: 'b'.repeat(32),
      message: 'Invoice run failed',
      tags: { correlation_id: CORRELATION_ID },
    }),
  });
  expect(res.status).toBe(200);
  const envelope = [
    JSON.stringify({}),
    JSON.stringify({ type: 'feedback' }),
    JSON.stringify({ contexts: { feedback: { message: 'Where is my invoice?', name: 'Flo' } } }),
  ].join('\n');
  const sent = await fetch(`${tracker.url}/api/${billing.id}/envelope/?sentry_key=${billing.key}`, {
    method: 'POST',
    body: envelope,
  });
  expect(sent.status).toBe(200);

  await page.goto(app('issues'));
  await visible(testIds.issues.row);
  await (await visible(testIds.issues.project)).click();
  await page.getByRole('option', { name: 'billing' }).click();
  await page.waitForURL((url) => url.searchParams.getAll('project').join() === String(billing.id));
  const rows = page.getByTestId(testIds.issues.row);
  // The filtered list in, the list of all gone (in between, the page may show neither).
  await rows.filter({ hasText: 'Invoice run failed' }).waitFor();
  await rows.filter({ hasText: "reading 'total'" }).waitFor({ state: 'detached' });
  expect(await rows.allInnerTexts()).toEqual([expect.stringContaining('Invoice run failed')]);
  // The stats header counts billing's alone: its one open issue and its one event.
  const stat = (id: string, text: RegExp) =>
    page.getByTestId(id).filter({ hasText: text }).waitFor();
  await stat(testIds.stats.open, /^Open or investigating\s*1$/);
  await stat(testIds.stats.lastHour, /^Last hour\s*1$/);
  // The names came from the tracker through the proxy route, as every list did.
  expect(host.proxied).toContain('GET tracker/api/v1/projects → 200');

  // The feedback page names each piece's project, and the link filters it to billing's.
  await page.goto(app('feedback'));
  const entries = page.getByTestId(testIds.feedback.list).getByRole('listitem');
  await entries.filter({ hasText: 'Where is my invoice?' }).waitFor();
  const texts = await entries.allInnerTexts();
  expect(texts.find((t) => t.includes('Where is my invoice?'))).toMatch(/^billing · Flo · /);
  expect(texts.find((t) => t.includes('The cart page went blank.'))).toMatch(/^checkout · /);
  await imagesLoaded();
  await page.goto(app(`feedback?project=${billing.id}`));
  await entries.first().waitFor();
  expect(await entries.allInnerTexts()).toEqual([expect.stringContaining('Where is my invoice?')]);
  await page.screenshot({ path: join(screenshots, 'feedback-project.png') });

  // The sessions page names each session's projects; filtered to billing, the checkout alone.
  await page.goto(app(`sessions?project=${billing.id}`));
  const sessions = page.getByTestId(testIds.sessions.row);
  await sessions.first().waitFor();
  expect(await sessions.allInnerTexts()).toEqual([
    expect.stringMatching(new RegExp(`^${CORRELATION_ID}\\s.*\\scheckout, billing\\s`)),
  ]);
  await page.getByRole('link', { name: CORRELATION_ID }).click();
  expect(await (await visible(testIds.session.projects)).innerText()).toBe(
    'sent to checkout, billing',
  );

  // The error issues panel with a $project variable of the name the tracker's metrics label.
  await panel(
    'panels/issues-panel',
    { service: '', project: '$project', status: 'any' },
    { project: 'billing' },
  );
  await visible(testIds.panels.issueRow);
  expect(await page.getByTestId(testIds.panels.issueRow).allInnerTexts()).toEqual([
    expect.stringContaining('Invoice run failed'),
  ]);
});

test('the screenshots of pieces of feedback far down the page are fetched as they are scrolled to', async () => {
  const support = await tracker.addProject('support');
  const png = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
    'base64',
  );
  // 40 pieces, each with its screenshot, as the feedback widget sends them: more than 900 px.
  const PIECES = 40;
  for (let n = 1; n <= PIECES; n++) {
    const feedback = { contexts: { feedback: { message: `Piece ${n}` } } };
    const attachment = { type: 'attachment', length: png.length, filename: `shot-${n}.png` };
    const body = Buffer.concat([
      Buffer.from(`{}\n{"type":"feedback"}\n${JSON.stringify(feedback)}\n`),
      Buffer.from(`${JSON.stringify({ ...attachment, content_type: 'image/png' })}\n`),
      png,
    ]);
    const res = await fetch(
      `${tracker.url}/api/${support.id}/envelope/?sentry_key=${support.key}`,
      {
        method: 'POST',
        body,
      },
    );
    expect(res.status).toBe(200);
  }
  const fetched = () => {
    const ids = host.proxied.filter((p) => /feedback\/attachments\/\d+ → 200$/.test(p));
    return new Set(ids).size;
  };
  const before = fetched();
  await page.goto(app(`feedback?project=${support.id}`));
  const entries = page.getByTestId(testIds.feedback.list).getByRole('listitem');
  // Newest first: piece 40 at the top, shown.
  await entries
    .first()
    .getByRole('img', { name: `shot-${PIECES}.png, sent with the feedback` })
    .waitFor();
  const atTop = fetched() - before;
  expect(atTop).toBeGreaterThan(0);
  expect(atTop).toBeLessThan(PIECES);
  const last = entries.last();
  await last.scrollIntoViewIfNeeded();
  await last.getByRole('img', { name: 'shot-1.png, sent with the feedback' }).waitFor();
  expect(fetched() - before).toBeGreaterThan(atTop);
  await imagesLoaded();
});

test('an unreachable tracker points the user to the configuration page', async () => {
  await withTrackerUnreachable(async () => {
    await page.goto(app('issues'));
    await visible(testIds.state.error);
    expect(await page.getByTestId(testIds.state.error).innerText()).toMatch(
      /unreachable|could not be reached/i,
    );
    await visible(testIds.state.configLink);
  });
  forgiveFailedResources(502); // the host's answers: this test's point
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
  forgiveFailedResources(401); // the tracker's answers: this test's point
});

describe('long values from the tracker wrap: no page is wider than a 1280 px window', () => {
  // Values with no break the browser would take (or, in a `code`, none at all: Grafana's global
  // styles keep `code` on one line), sent through the tracker's real ingest as an SDK sends them.
  const WORD = 'loadCart.items.total.'; // 21 characters, no space
  const MESSAGE = `Checkout wrapped ${WORD.repeat(500)}`; // 10.5 KB
  const CRUMB = `GET /api/cart?expand=${WORD.repeat(200)}`;
  const VALUE = `Cart total overflowed: ${'itemsTotalPriceAmount'.repeat(30)}`;
  const COMPONENTS = [
    // What the audit saw: a grouping component of 70 characters with spaces, kept on one line.
    'seed-app:loadCart:return cart.items.total; // throws: items is undefined',
    `checkout.${'CartRepository.'.repeat(12)}load`,
  ];
  const LONG_ID = `req-${'checkoutcart'.repeat(50)}`; // 604 characters
  const PAGE_URL = `https://shop.example/checkout?cart=${'abcdef'.repeat(100)}`;
  const EVENT_ID = 'c0ffee00c0ffee00c0ffee00c0ffee00';
  let project: { id: number; key: string };

  /**
   * Whether the page is no wider than the window, and if not, what reaches past it: the innermost
   * elements whose box, or the content running out of it, ends right of the window.
   */
  async function width(): Promise<{ fits: boolean; past: string[] }> {
    return page.evaluate(() => {
      const { scrollWidth, clientWidth } = document.documentElement;
      const right = (el: Element) => {
        const box = el.getBoundingClientRect();
        return box.left + Math.max(box.width, el.scrollWidth);
      };
      const past = (el: Element) => right(el) > clientWidth + 0.5;
      const innermost = [...document.body.querySelectorAll('*')].filter(
        (el) => past(el) && ![...el.children].some(past),
      );
      const fits = scrollWidth <= clientWidth;
      const text = (el: Element) => el.textContent?.slice(0, 40);
      const what = (el: Element) =>
        `${el.tagName.toLowerCase()} ${text(el)}… to ${Math.round(right(el))} px`;
      return { fits, past: fits ? [] : innermost.map(what) };
    });
  }

  const FITS = { fits: true, past: [] };

  /** Each of the cells `selector` finds in `table`: its text and on how many lines it lies. */
  const lines = (table: string, selector: string) =>
    page
      .getByTestId(table)
      .locator(selector)
      .evaluateAll((cells) =>
        cells.map((cell) => {
          const range = document.createRange();
          range.selectNodeContents(cell);
          const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
          return [cell.textContent, tops.size];
        }),
      );

  beforeAll(async () => {
    project = await tracker.addProject('long-values');
    const auth = `Sentry sentry_version=7, sentry_key=${project.key}`;
    const stored = await fetch(`${tracker.url}/api/${project.id}/store/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Sentry-Auth': auth },
      body: JSON.stringify({
        event_id: EVENT_ID,
        platform: 'node',
        level: 'error',
        message: MESSAGE,
        exception: { values: [{ type: 'RangeError', value: VALUE }] },
        fingerprint: COMPONENTS,
        tags: { correlation_id: LONG_ID, service: 'checkout' },
        breadcrumbs: [
          { timestamp: Date.now() / 1000, category: 'http', level: 'info', message: CRUMB },
        ],
      }),
    });
    expect(stored.status).toBe(200);
    const feedback = { message: 'The page went wide.', name: 'Gus', url: PAGE_URL };
    const envelope = [
      JSON.stringify({}),
      JSON.stringify({ type: 'feedback' }),
      JSON.stringify({ contexts: { feedback: { ...feedback, associated_event_id: EVENT_ID } } }),
    ].join('\n');
    const sent = await fetch(
      `${tracker.url}/api/${project.id}/envelope/?sentry_key=${project.key}`,
      { method: 'POST', body: envelope },
    );
    expect(sent.status).toBe(200);
  });

  beforeEach(() => page.setViewportSize({ width: 1280, height: 900 }));

  test('the issue detail: a 10 KB message, a long exception value, long grouping components, a long page address', async () => {
    const issue = await issueByTitle('Cart total overflowed');
    await page.goto(app(`issues/${issue.id}`));
    await visible(testIds.issue.exception);
    await visible(testIds.issue.eventFeedback);
    await visible(testIds.issue.feedback);
    // All of them are there, whole.
    await expect(page.getByText(MESSAGE, { exact: true }).count()).resolves.toBe(1);
    await expect(page.getByTestId(testIds.issue.exception).innerText()).resolves.toContain(
      `RangeError: ${VALUE}`,
    );
    const components = page.getByTestId(testIds.issue.whyGrouped).locator('code');
    await expect(components.allInnerTexts()).resolves.toEqual(COMPONENTS);
    // Beside the long values, short words keep their lines: the breadcrumbs' headers and time,
    // the tags' keys (they had a letter a line).
    const [time] = await lines(testIds.issue.breadcrumbs, 'tbody td:first-child');
    const tagKeys = await lines(testIds.issue.tags, 'th');
    expect({
      width: await width(),
      breadcrumbHeaders: await lines(testIds.issue.breadcrumbs, 'th'),
      breadcrumbTimeLines: time[1],
      tagKeysBroken: tagKeys.filter(([, n]) => n !== 1),
    }).toEqual({
      width: FITS,
      breadcrumbHeaders: [
        ['Time', 1],
        ['Category', 1],
        ['Level', 1],
        ['Message', 1],
      ],
      breadcrumbTimeLines: 1,
      tagKeysBroken: [],
    });
    expect(tagKeys.map(([key]) => key)).toContain('correlation_id');
    await page.screenshot({ path: join(screenshots, 'long-values-issue.png'), fullPage: true });
  });

  test('the sessions list, the debug session and its panel: a 604-character correlation id', async () => {
    await page.goto(app(`sessions?project=${project.id}`));
    const row = page.getByTestId(testIds.sessions.row).filter({ hasText: LONG_ID });
    await row.waitFor();
    // Every column's header is in the window, and the service's name whole, on one line.
    const inWindow: Record<string, boolean> = {};
    for (const name of ['Services', 'Started', 'Duration', 'Errors']) {
      const box = await page.getByRole('columnheader', { name, exact: true }).boundingBox();
      inWindow[name] = box!.x + box!.width <= 1280;
    }
    const services = await row
      .getByRole('cell', { name: 'checkout', exact: true })
      .evaluate((cell) => {
        const range = document.createRange();
        range.selectNodeContents(cell);
        return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
      });
    expect({ width: await width(), inWindow, serviceLines: services }).toEqual({
      width: FITS,
      inWindow: { Services: true, Started: true, Duration: true, Errors: true },
      serviceLines: 1,
    });
    await page.screenshot({ path: join(screenshots, 'long-values-sessions.png') });

    await row.getByRole('link', { name: LONG_ID }).click();
    await visible(testIds.session.container);
    await page.getByRole('link', { name: /Cart total overflowed/ }).waitFor();
    await expect(width()).resolves.toEqual(FITS);

    await panel('panels/session-panel', {}, { correlation_id: LONG_ID });
    const panelBox = await visible(testIds.panels.session);
    await page.getByRole('link', { name: LONG_ID }).waitFor();
    await expect(
      panelBox.evaluate((el) => ({ scrolls: el.scrollWidth > el.clientWidth })),
    ).resolves.toEqual({ scrolls: false });
  });

  test('the user feedback page: a long page address', async () => {
    await page.goto(app(`feedback?project=${project.id}`));
    const entry = page.getByTestId(testIds.feedback.list).getByRole('listitem');
    await entry.filter({ hasText: 'The page went wide.' }).waitFor();
    await expect(entry.first().innerText()).resolves.toContain(`on ${PAGE_URL}`);
    await expect(width()).resolves.toEqual(FITS);
  });
});
