// The tracker from a web page in Debian's Chromium: the Sentry browser SDK and the OpenTelemetry
// exporter, bundled into a page served from one origin (sdk-page/), post to a tracking server on
// another, as a team's front end would. Every post is cross-origin — the OTLP one preflighted for
// its Authorization header — so each arrives only if the tracker answers as Sentry's ingest does
// (CORS); then the error and the span join one debug session, and the browser blocked nothing.
import { mkdirSync, readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import { type Browser, launch } from './browser';
import { artifactsDir, browserDir } from './paths';
import { type SeededTracker, startSeededTracker } from './tracker';

const CORRELATION_ID = 'req-browser-checkout'; // sdk-page/page.ts
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
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  [tracker] = await Promise.all([startSeededTracker(), serveSdkPage()]);
  browser = await launch();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => site?.close(resolve));
  await tracker?.close();
});

test('a page on another origin sends an error with the Sentry browser SDK and a span with the OTLP exporter, joined in one session', async () => {
  const page = await browser.open();
  const where = new URLSearchParams({
    dsn: tracker.project.dsn,
    traces: `${tracker.url}/v1/traces`,
    key: tracker.project.key,
  });
  await page.goto(`${siteUrl}/?${where}`);
  await page.waitForFunction(() => (window as { sent?: unknown }).sent !== undefined, undefined, {
    timeout: 30_000,
  });
  expect(await page.evaluate(() => (window as { sent?: unknown }).sent)).toEqual({ flushed: true });
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
  }>(`/sessions/${CORRELATION_ID}`);
  expect(session.timeline.map((o) => [o.name, o.service])).toEqual([
    ['click checkout', 'web-shop'],
  ]);
  expect(session.errorEvents.map((e) => e.title)).toEqual([TITLE]);
  expect(session.services).toEqual(['web-shop']);
  await page.close();
});
