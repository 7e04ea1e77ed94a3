// Debian's Chromium driven by playwright-core (no `playwright install`: nothing is downloaded),
// with every console error, page error and failed request collected so a test can assert there
// were none. A request the page cancels on purpose (a superseded read, aborted as Grafana's fetch
// aborts it) is no failure when the caller says which requests may be: those are listed apart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export interface Browser {
  context: BrowserContext;
  /** A new page whose problems are appended to `problems`. */
  open(): Promise<Page>;
  problems: string[];
  /** Requests the page cancelled that `cancellable` allows, as `METHOD url`. */
  cancelled: string[];
  close(): Promise<void>;
}

export async function launch(
  viewport = { width: 1400, height: 900 },
  /** Which requests the page may cancel (net::ERR_ABORTED); any other cancelled one is a problem. */
  cancellable: (method: string, url: string) => boolean = () => false,
  /**
   * Which requests may end net::ERR_ABORTED because the page was left while they loaded: the
   * browser's doing, not the page's, so neither a problem nor one of its cancels.
   */
  leftBehind: (method: string, url: string) => boolean = () => false,
): Promise<Browser> {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // A page's capture of its own tab (Sentry's feedback widget takes its screenshot so) is
      // accepted, as the user would accept the prompt.
      '--auto-accept-this-tab-capture',
    ],
  });
  const problems: string[] = [];
  const cancelled: string[] = [];
  return {
    context,
    problems,
    cancelled,
    async open() {
      const page = await context.newPage();
      page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('requestfailed', (r) => {
        const why = r.failure()?.errorText;
        if (why === 'net::ERR_ABORTED' && leftBehind(r.method(), r.url())) return;
        if (why === 'net::ERR_ABORTED' && cancellable(r.method(), r.url()))
          cancelled.push(`${r.method()} ${r.url()}`);
        else problems.push(`request failed: ${r.url()} ${why}`);
      });
      page.on('dialog', (d) => {
        problems.push(`dialog opened: ${d.message()}`);
        void d.dismiss();
      });
      return page;
    },
    async close() {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
