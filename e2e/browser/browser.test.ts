// What the Chromium harness counts when a page is left with requests still loading: a request
// the caller says may be left behind is neither a problem nor a cancel; any other is a problem.
import { type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, launch } from './browser';

let site: Server;
let origin: string;
let browser: Browser;
/** Requests the site holds unanswered until the page is left. */
const held: ServerResponse[] = [];
let arrived: () => void = () => undefined;

beforeAll(async () => {
  site = createServer((req, res) => {
    if (req.url === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      // Once loaded, the page asks for two images the site never answers, as Grafana's pages ask
      // for a font when text first takes its face: both are loading when the page is left.
      res.end(
        '<!doctype html><html><head><link rel="icon" href="data:,"></head><body><script>' +
          "addEventListener('load', () => { for (const src of ['/fonts/left.png', '/img/kept.png'])" +
          ' document.body.append(Object.assign(new Image(), { src })); });</script></body></html>',
      );
      return;
    }
    held.push(res);
    if (held.length === 2) arrived();
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  browser = await launch(
    undefined,
    () => false,
    (method, url) => method === 'GET' && new URL(url).pathname.startsWith('/fonts/'),
  );
});

afterAll(async () => {
  await browser?.close();
  for (const res of held) res.destroy();
  await new Promise((r) => site?.close(r));
});

test('a page left while loading: the requests it may leave behind count nowhere, the others as problems', async () => {
  const page = await browser.open();
  const bothArrived = new Promise<void>((r) => (arrived = r));
  await page.goto(`${origin}/`);
  await bothArrived;
  await page.goto('about:blank');
  await page.close();
  expect(browser.cancelled).toEqual([]);
  expect(browser.problems).toEqual([`request failed: ${origin}/img/kept.png net::ERR_ABORTED`]);
});
