// Debian's Chromium driven by playwright-core (no `playwright install`: nothing is downloaded),
// with every console error, page error and failed request collected so a test can assert there
// were none.
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
  close(): Promise<void>;
}

export async function launch(viewport = { width: 1400, height: 900 }): Promise<Browser> {
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
    ],
  });
  const problems: string[] = [];
  return {
    context,
    problems,
    async open() {
      const page = await context.newPage();
      page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('requestfailed', (r) =>
        problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`),
      );
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
