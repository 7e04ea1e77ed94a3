// The tracker from a web page in Debian's Chromium: the Sentry browser SDK and the OpenTelemetry
// exporter, bundled into a page served from one origin (sdk-page/), post to a tracking server on
// another, as a team's front end would. Every post is cross-origin — the OTLP one preflighted for
// its Authorization header — so each arrives only if the tracker answers as Sentry's ingest does
// (CORS); then the error and the span join one debug session, and the browser blocked nothing.
// With Sentry's `tunnel` option the SDK posts to the page's own origin instead, whose server
// forwards each envelope, without a key, to the project its header's DSN names (as Sentry's
// documentation shows a tunnel doing): the tracker authorises it by that DSN.
import { mkdirSync, readFileSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import { type Browser, launch } from './browser';
import { artifactsDir, browserDir } from './paths';
import { type SeededTracker, startSeededTracker } from './tracker';

const TITLE = 'TypeError: cart total is not a number';

let tracker: SeededTracker;
let browser: Browser;
let site: Server;
let siteUrl: string;

/** The page and its bundle, on a loopback port of their own: an origin other than the tracker's. */
async function serveSdkPage(): Promise<void> {
  const outdir = join(artifactsDir, 'sdk-page');
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: [join(browserDir, 'sdk-page', 'page.ts')],
    outfile: join(outdir, 'page.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    logLevel: 'error',
  });
  const script = readFileSync(join(outdir, 'page.js'));
  const html =
    '<!doctype html><html><head><link rel="icon" href="data:,"><title>shop</title></head>' +
    '<body><script src="/page.js"></script></body></html>';
  site = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/page.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else if (path === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    else if (path === '/tunnel' && req.method === 'POST') void tunnel(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
}

/** A Sentry tunnel: the envelope, as the SDK sent it, to the project its header's DSN names. */
async function tunnel(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const envelope = Buffer.concat(chunks);
  const header = JSON.parse(envelope.subarray(0, envelope.indexOf(10)).toString()) as {
    dsn: string;
  };
  const dsn = new URL(header.dsn);
  const answer = await fetch(`${dsn.protocol}//${dsn.host}/api${dsn.pathname}/envelope/`, {
    method: 'POST',
    body: envelope,
  });
  res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
}

/** Opens the page with its query and waits for what it reports having sent. */
async function sendFromPage(query: Record<string, string>): Promise<unknown> {
  const page = await browser.open();
  await page.goto(`${siteUrl}/?${new URLSearchParams(query)}`, { timeout: 90_000 });
  await page.waitForFunction(() => (window as { sent?: unknown }).sent !== undefined, undefined, {
    timeout: 30_000,
  });
  const sent = await page.evaluate(() => (window as { sent?: unknown }).sent);
  await page.close();
  return sent;
}

beforeAll(async () => {
  [tracker] = await Promise.all([startSeededTracker(), serveSdkPage()]);
  browser = await launch();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => site?.close(resolve));
  await tracker?.close();
});

beforeEach(() => (browser.problems.length = 0));

test('a page on another origin sends an error with the Sentry browser SDK and a span with the OTLP exporter, joined in one session', async () => {
  const sent = await sendFromPage({
    correlation: 'req-browser-checkout',
    dsn: tracker.project.dsn,
    traces: `${tracker.url}/v1/traces`,
    key: tracker.project.key,
  });
  expect(sent).toEqual({ flushed: true });
  // A post the tracker did not answer for the page's origin shows here as a blocked request.
  expect(browser.problems).toEqual([]);

  const issues = await tracker.api<{ items: { title: string; service: string }[] }>(
    '/issues?q=cart%20total',
  );
  expect(issues.items).toEqual([expect.objectContaining({ title: TITLE, service: 'web-shop' })]);
  const session = await tracker.api<{
    services: string[];
    timeline: { name: string; service: string }[];
    errorEvents: { title: string }[];
  }>('/sessions/req-browser-checkout');
  expect(session.timeline.map((o) => [o.name, o.service])).toEqual([
    ['click checkout', 'web-shop'],
  ]);
  expect(session.errorEvents.map((e) => e.title)).toEqual([TITLE]);
  expect(session.services).toEqual(['web-shop']);
});

test("the Sentry browser SDK's tunnel on the page's own origin forwards envelopes the tracker authorises by their DSN", async () => {
  const sent = await sendFromPage({
    correlation: 'req-browser-tunnel',
    dsn: tracker.project.dsn,
    tunnel: '/tunnel',
  });
  expect(sent).toEqual({ flushed: true });
  expect(browser.problems).toEqual([]);
  const session = await tracker.api<{ errorEvents: { title: string }[] }>(
    '/sessions/req-browser-tunnel',
  );
  expect(session.errorEvents.map((e) => e.title)).toEqual([TITLE]);
});

test("Sentry's feedback widget on a page on another origin sends what the user wrote and the screenshot they took of the page", async () => {
  const page = await browser.open();
  await page.goto(
    `${siteUrl}/?${new URLSearchParams({ feedback: '1', dsn: tracker.project.dsn })}`,
    {
      timeout: 90_000,
    },
  );
  // The widget's own form (in its shadow root), filled in and sent as a user would.
  await page.getByLabel('Name').fill('Gus');
  await page.getByLabel('Email').fill('gus@example.com');
  await page.getByLabel('Description').fill('The pay button does nothing on the cart page');
  await page.getByRole('button', { name: 'Add a screenshot' }).click();
  // The screenshot editor shows the captured tab (Chromium accepts the capture: browser.ts).
  await page.getByRole('button', { name: 'Remove screenshot' }).waitFor();
  await page.getByRole('button', { name: 'Send Bug Report' }).click();
  // Shown only once the tracker has answered the cross-origin post with 200.
  await page.getByText('Thank you for your report!').waitFor({ timeout: 30_000 });
  expect(browser.problems).toEqual([]);
  await page.close();

  const { items } = await tracker.api<{
    items: {
      id: number;
      name: string;
      email: string;
      url?: string;
      attachments: { id: number; filename: string; contentType: string; size: number }[];
    }[];
  }>('/feedback?q=pay%20button%20does%20nothing');
  expect(items.map(({ name, email, url }) => ({ name, email, url }))).toEqual([
    { name: 'Gus', email: 'gus@example.com', url: expect.stringContaining(siteUrl) },
  ]);
  const [shot] = items[0]!.attachments;
  expect(shot).toMatchObject({ filename: 'screenshot.png', contentType: 'application/png' });
  // The PNG the widget drew from the tab, as the tracker keeps it: its signature and a size.
  const bytes = Buffer.from(
    await (
      await fetch(`${tracker.url}/api/v1/feedback/attachments/${shot!.id}`, {
        headers: { authorization: `Bearer ${tracker.apiToken}` },
      })
    ).arrayBuffer(),
  );
  expect(bytes.length).toBe(shot!.size);
  expect(bytes.subarray(0, 8)).toEqual(
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  );
  const [width, height] = [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
  expect(width).toBeGreaterThan(100);
  expect(height).toBeGreaterThan(100);
});
