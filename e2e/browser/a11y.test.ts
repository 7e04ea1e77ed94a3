// Accessibility of the built Grafana app plugin in Debian's Chromium, as a screen-reader or
// keyboard-only user meets it: axe-core's WCAG 2.0/2.1 A and AA rules on every page, panel and
// state, and the keyboard paths through each action (Tab, Enter, Space and arrow keys only).
// Same host and seeded tracker as plugin.test.ts (host/, tracker.ts, browser.ts).
//
// No axe rule is excluded: in every state below neither Grafana's components nor the test host
// raised a violation, so any violation is one to fix. The axe checks run in both of Grafana's
// themes (the user's `theme` preference, dark or light): colour contrast is the theme's as much
// as the plugin's. The keyboard paths do not depend on the theme and run in the dark one.
import { testIds } from '../../packages/grafana-app-plugin/src/components/testIds';
import {
  app,
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

const AXE = require.resolve('axe-core/axe.min.js');
const WCAG_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

usePluginSession();

async function issueId(part: string): Promise<number> {
  const { items } = await tracker.api<{ items: Array<{ id: number; title: string }> }>(
    '/issues?limit=100',
  );
  const issue = items.find((i) => i.title.includes(part));
  if (!issue) throw new Error(`no issue titled "${part}"`);
  return issue.id;
}

/** axe-core's WCAG 2.0/2.1 A and AA violations on the page, as `rule: element (what failed)`. */
async function axe(): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  return page.evaluate(async (tags) => {
    interface Result {
      violations: Array<{
        id: string;
        nodes: Array<{ target: string[]; html: string; failureSummary?: string }>;
      }>;
    }
    const run = (window as unknown as { axe: { run(c: Document, o: object): Promise<Result> } }).axe
      .run;
    const { violations } = await run(document, { runOnly: tags });
    return violations.flatMap((v) =>
      v.nodes.map(
        (n) => `${v.id}: ${n.html.slice(0, 120)} (${n.failureSummary?.replace(/\s+/g, ' ')})`,
      ),
    );
  }, WCAG_AA);
}

interface Stop {
  /** Tag, role, name and test id of the focused element. */
  what: string;
  /**
   * It matches :focus-visible and it, a sibling it styles or its parent draws a ring (a
   * combobox: the control around it).
   */
  ring: boolean;
}

/**
 * Presses Tab from the top of the page until focus leaves the document or comes back to the
 * first element (no keyboard trap), recording each element focused and whether its focus shows.
 */
async function tabWalk(max = 120): Promise<{ stops: Stop[]; left: boolean }> {
  await page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    window.getSelection()?.removeAllRanges();
  });
  const stops: Stop[] = [];
  let first: string | undefined;
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body || el === document.documentElement) return null;
      const drawn = (e: Element | null) => {
        if (!e) return false;
        const cs = getComputedStyle(e);
        return (
          (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) || cs.boxShadow !== 'none'
        );
      };
      const key = (el.dataset.walk ??= String(Math.random()));
      const what = [
        el.tagName.toLowerCase(),
        el.getAttribute('role') ?? (el as HTMLInputElement).type ?? '',
        el.getAttribute('aria-label') ??
          (el as HTMLInputElement).labels?.[0]?.textContent?.trim() ??
          el.textContent?.trim().slice(0, 80) ??
          '',
        el.getAttribute('data-testid') ?? '',
      ].join(' | ');
      // A combobox's input (Grafana's MultiSelect) has no border of its own: the control around
      // it and its chosen values, four levels up, draws the ring while it has the focus (and
      // none without it).
      const control = (e: Element | null, levels: number): boolean =>
        levels > 0 && !!e && (drawn(e) || control(e.parentElement, levels - 1));
      const ring =
        el.matches(':focus-visible') &&
        (drawn(el) ||
          drawn(el.nextElementSibling) ||
          drawn(el.parentElement) ||
          (el.getAttribute('role') === 'combobox' && control(el.parentElement, 4)));
      return { key, what, ring };
    });
    if (!stop) return { stops, left: true };
    if (stop.key === first) return { stops, left: true };
    first ??= stop.key;
    stops.push({ what: stop.what, ring: stop.ring });
  }
  return { stops, left: false };
}

/** What is focused now, as tabWalk names it, or "body" when focus was dropped. */
const focused = () =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return 'body';
    const name =
      el.getAttribute('aria-label') ??
      (el as HTMLInputElement).labels?.[0]?.textContent?.trim() ??
      el.textContent?.trim();
    return `${el.tagName.toLowerCase()} ${name}`;
  });

/** Presses Tab until `match` is focused (at most `max` times); fails if it never is. */
async function tabTo(match: (what: string) => boolean, max = 120): Promise<string> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const now = await focused();
    if (match(now)) return now;
  }
  throw new Error(`Tab never reached the element (last: ${await focused()})`);
}

// Grafana's page background (GlobalStyles: body is theme.colors.background.canvas), palette
// gray05 in the dark theme and gray90 in the light one (@grafana/data themes/palette.ts).
const CANVAS = { dark: 'rgb(17, 18, 23)', light: 'rgb(251, 251, 251)' } as const;

describe.each(['dark', 'light'] as const)(
  'axe in the %s theme: no WCAG 2.1 A/AA violation',
  (theme) => {
    beforeEach(() => {
      host.user.theme = theme;
    });
    afterEach(() => {
      host.user.theme = 'dark';
    });

    test('the issues list with rows and stats, a hovered row, a selection and its bulk bar', async () => {
      await page.goto(app('issues'));
      await visible(testIds.issues.row);
      await visible(testIds.stats.severity + '-critical');
      // The page is in the theme asked for, so what axe checks is that theme's colours.
      expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe(
        CANVAS[theme],
      );
      expect(await axe()).toEqual([]);
      // A hovered row: its secondary text stays readable on the hover background (WCAG 1.4.3).
      await page.getByTestId(testIds.issues.row).first().hover();
      expect(await axe()).toEqual([]);
      await page.getByTestId(testIds.issues.rowCheckbox).first().check({ force: true });
      await visible(testIds.issues.bulkBar);
      await page.getByRole('button', { name: 'Mark investigating' }).waitFor();
      expect(await axe()).toEqual([]);
      // Each radio group says which filter it is (WCAG 1.3.1, 4.1.2): three groups offer "All".
      for (const name of ['Status', 'Severity', 'Type', 'Sort by'])
        await expect(page.getByRole('radiogroup', { name }).count()).resolves.toBe(1);
      // Rows are a table with column headers (WCAG 1.3.1).
      const table = page.getByRole('table', { name: 'Issues' });
      expect(await table.getByRole('columnheader').allInnerTexts()).toEqual(
        expect.arrayContaining(['Severity', 'Issue', 'Service', 'Status', 'Events', 'Last seen']),
      );
      // Values chosen in Service and Environment (none the tracker has issues of together: the
      // empty state), and the Service menu open with the services the stats name.
      await page.goto(app('issues?service=billing&environment=production&environment=staging'));
      await visible(testIds.state.empty);
      await visible(testIds.stats.severity + '-critical');
      await page.getByLabel('Service', { exact: true }).click();
      await page.getByRole('option', { name: 'checkout' }).waitFor();
      expect(await axe()).toEqual([]);
      await page.keyboard.press('Escape');
    });

    test('the issues list with nothing to show, and with the tracker unreachable', async () => {
      await page.goto(app('issues?q=no-issue-has-this-title'));
      await visible(testIds.state.empty);
      expect(await axe()).toEqual([]);
      // A link to a project the tracker does not list: the Project filter names it by its id.
      await page.goto(app('issues?project=99999'));
      await visible(testIds.state.empty);
      await visible(testIds.issues.project);
      expect(await axe()).toEqual([]);
      await withTrackerUnreachable(async () => {
        await page.goto(app('issues'));
        await visible(testIds.state.error);
        expect(await axe()).toEqual([]);
      });
      forgiveFailedResources(502); // the host's answers: this state's point
    });

    test("an issue's detail with its stack trace, its status control, and an issue that is not there", async () => {
      await page.goto(app(`issues/${await issueId("reading 'total'")}`));
      await visible(testIds.issue.contextLine);
      await visible(testIds.issue.breadcrumbs);
      expect(await axe()).toEqual([]);
      await expect(page.getByRole('radiogroup', { name: 'Status' }).count()).resolves.toBe(1);
      await page.goto(app('issues/999999999'));
      await visible(testIds.state.error);
      expect(await axe()).toEqual([]);
      forgiveFailedResources(404);
    });

    test("the debug sessions list, an empty one, one filtered by project, and a session's detail with its timeline", async () => {
      await page.goto(app('sessions'));
      await visible(testIds.sessions.row);
      expect(await axe()).toEqual([]);
      await page.goto(app('sessions?q=no-session-has-this-id'));
      await visible(testIds.state.empty);
      expect(await axe()).toEqual([]);
      // A link naming the project: the list filtered to it, with its Project filter.
      await page.goto(app(`sessions?project=${tracker.project.id}`));
      await visible(testIds.sessions.row);
      await visible(testIds.sessions.project);
      expect(await axe()).toEqual([]);
      await page.goto(app(`sessions/${CORRELATION_ID}`));
      await visible(testIds.session.operation);
      await visible(testIds.session.memory);
      expect(await axe()).toEqual([]);
    });

    test('the user feedback page, with a link to an issue and feedback about none, and its Project filter', async () => {
      await page.goto(app('feedback'));
      await visible(testIds.feedback.list);
      await imagesLoaded(); // the screenshot shown, checked too, and not cut off by leaving
      expect(await axe()).toEqual([]);
      // A link naming the project shows the filter with it chosen (one project: no filter else),
      // and its menu open with no other project to offer: a message, no listbox without options.
      await page.goto(app(`feedback?project=${tracker.project.id}`));
      await visible(testIds.feedback.list);
      await visible(testIds.feedback.project);
      await page.getByLabel('Project', { exact: true }).click();
      await page.getByText(/^No options/).waitFor();
      expect(await axe()).toEqual([]);
      await page.keyboard.press('Escape');
    });

    test('the error issues panel and the debug session panel', async () => {
      await panel(
        'panels/issues-panel',
        { service: '$service', status: 'any' },
        { service: 'checkout' },
      );
      await visible(testIds.panels.issueRow);
      expect(await axe()).toEqual([]);
      await panel('panels/session-panel', {}, { correlation_id: CORRELATION_ID });
      await visible(testIds.session.operation);
      expect(await axe()).toEqual([]);
    });

    test('the configuration page', async () => {
      // The host renders no configuration page: it is rendered here from the plugin's own module
      // (plugin.configPages, as Grafana's plugin settings page does) with the host's shared React,
      // inside the user's theme as all of Grafana's pages are (its ThemeProvider).
      await page.goto(app('issues'));
      await visible(testIds.issues.row);
      await page.evaluate(async () => {
        const w = window as unknown as {
          System: { import(id: string): Promise<Record<string, unknown>> };
          beaconMeta: { baseUrl: string };
        };
        const React = (await w.System.import('react')) as unknown as {
          createElement(type: unknown, props: object, ...children: unknown[]): unknown;
        };
        const { createRoot } = (await w.System.import('react-dom/client')) as unknown as {
          createRoot(el: Element): { render(node: unknown): void };
        };
        const { plugin } = (await w.System.import(
          new URL(`${w.beaconMeta.baseUrl}/module.js`, document.baseURI).href,
        )) as { plugin: { configPages: Array<{ body: unknown }> } };
        const { ThemeContext } = (await w.System.import('@grafana/data')) as unknown as {
          ThemeContext: { Provider: unknown };
        };
        const { config } = (await w.System.import('@grafana/runtime')) as unknown as {
          config: { theme2: unknown };
        };
        const meta = { ...w.beaconMeta };
        document.getElementById('root')!.remove();
        const root = document.createElement('main');
        document.body.appendChild(root);
        createRoot(root).render(
          React.createElement(
            ThemeContext.Provider,
            { value: config.theme2 },
            React.createElement(plugin.configPages[0].body, { plugin: { meta }, query: {} }),
          ),
        );
      });
      await visible(testIds.appConfig.trackerUrl);
      expect(await axe()).toEqual([]);
    });
  },
);

describe('keyboard: every action by Tab, Enter, Space and arrows, focus shown and kept', () => {
  test('the issues page: every control is a tab stop with a visible focus, and Tab leaves the page (no trap)', async () => {
    await page.goto(app('issues'));
    await visible(testIds.issues.row);
    await visible(testIds.stats.severity + '-critical');
    const { stops, left } = await tabWalk();
    expect(left).toBe(true);
    expect(stops.filter((s) => !s.ring)).toEqual([]);
    const has = (part: string) => stops.some((s) => s.what.includes(part));
    for (const part of [
      'Search issues',
      'select all loaded issues',
      'select issue',
      "reading 'total'",
      'Service',
      'Environment',
      'Release',
    ])
      expect([part, has(part)]).toEqual([part, true]);
  });

  test('filters, sort and search by keyboard change the query', async () => {
    await page.goto(app('issues'));
    await visible(testIds.issues.row);
    // A radio group is one tab stop; arrows pick within it (WAI-ARIA radio group pattern).
    await page.getByRole('radiogroup', { name: 'Status' }).getByRole('radio').first().focus();
    await page.keyboard.press('ArrowRight');
    await page.waitForURL(/status=open/);
    await page.getByRole('radiogroup', { name: 'Sort by' }).getByRole('radio').first().focus();
    await page.keyboard.press('ArrowRight');
    await page.waitForURL(/sort=first_seen/);
    await page.getByTestId(testIds.issues.search).focus();
    await page.keyboard.type('TypeError');
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=TypeError/);
    await visible(testIds.issues.row);
    // Service takes several values, each typed (listed by the tracker or not) and Enter; focus
    // stays for the next; Backspace takes the last one back.
    await page.getByLabel('Service', { exact: true }).focus();
    await page.keyboard.type('checkout');
    await page.keyboard.press('Enter');
    await page.keyboard.type('billing');
    await page.keyboard.press('Enter');
    await page.waitForURL(/[?&]service=checkout&service=billing(&|$)/);
    expect(await focused()).toBe('input Service');
    await page.keyboard.press('Backspace');
    await page.waitForURL((url) => url.searchParams.getAll('service').join() === 'checkout');
    await visible(testIds.issues.row);
  });

  test('an issue opens from its row with Enter, and its status changes with the arrow keys, focus kept', async () => {
    await page.goto(app('issues'));
    await visible(testIds.issues.row);
    await page.getByTestId(testIds.issues.search).focus();
    await tabTo((f) => f.startsWith('a ') && f.includes("reading 'total'"));
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/issues\/\d+$/);
    await visible(testIds.issue.title);
    const id = Number(page.url().split('/').pop());
    // Tab from the top reaches the status group; the checked radio is the stop.
    await tabTo((f) => f === 'input open');
    await page.keyboard.press('ArrowRight');
    await page.getByTestId(testIds.issue.status).getByText('investigating').waitFor();
    expect((await tracker.api<{ status: string }>(`/issues/${id}`)).status).toBe('investigating');
    expect(await focused()).toBe('input investigating');
    // Back to open, so the other tests see the seeded state.
    await page.keyboard.press('ArrowLeft');
    await page.getByTestId(testIds.issue.status).getByText('open').waitFor();
  });

  test('bulk status by Space and Enter: focus goes to the select-all checkbox, not the page start', async () => {
    await page.goto(app('issues'));
    await visible(testIds.issues.row);
    await page.getByTestId(testIds.issues.search).focus();
    await tabTo((f) => f.startsWith('input select issue'));
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Mark investigating' }).waitFor();
    await page.getByLabel('select all loaded issues').focus();
    await tabTo((f) => f === 'button Mark investigating', 3);
    await page.keyboard.press('Enter');
    await page.getByText(/1 issues marked investigating/).waitFor();
    expect(await focused()).toBe('input select all loaded issues');
    // Put it back: Space selects all, Tab to "Mark open", Enter.
    await page.keyboard.press('Space');
    await tabTo((f) => f === 'button Mark open', 3);
    await page.keyboard.press('Enter');
    await page.getByText(/issues marked open/).waitFor();
    expect(await focused()).toBe('input select all loaded issues');
    // "Clear selection" too.
    await page.keyboard.press('Space');
    await tabTo((f) => f === 'button Clear selection', 8);
    await page.keyboard.press('Enter');
    await page.getByTestId(testIds.issues.count).waitFor();
    expect(await focused()).toBe('input select all loaded issues');
  });

  test('a debug session opens from its row; export and the timeline are reachable and operable', async () => {
    await page.goto(app('sessions'));
    await visible(testIds.sessions.row);
    const walk = await tabWalk();
    expect(walk.left).toBe(true);
    expect(walk.stops.filter((s) => !s.ring)).toEqual([]);
    await page.getByTestId(testIds.sessions.search).focus();
    await tabTo((f) => f === `a ${CORRELATION_ID}`);
    await page.keyboard.press('Enter');
    await visible(testIds.session.operation);

    const session = await tabWalk();
    expect(session.left).toBe(true);
    expect(session.stops.filter((s) => !s.ring)).toEqual([]);
    // The timeline's rows hold nothing focusable: its scrolling part is a tab stop itself, so
    // a long timeline scrolls by keyboard (WCAG 2.1.1).
    expect(session.stops.some((s) => s.what.startsWith('div | rowgroup'))).toBe(true);

    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await tabTo((f) => f.includes('Export JSON'));
    const download = page.waitForEvent('download');
    await page.keyboard.press('Enter');
    expect((await download).suggestedFilename()).toBe(`debug-session-${CORRELATION_ID}.json`);
    await page.getByTestId(testIds.session.export).and(page.locator(':enabled')).waitFor();
    expect(await focused()).toContain('Export JSON');
  });

  test('the debug session panel: its timeline scrolls by keyboard', async () => {
    await panel('panels/session-panel', {}, { correlation_id: CORRELATION_ID });
    await visible(testIds.session.operation);
    const { stops, left } = await tabWalk();
    expect(left).toBe(true);
    expect(stops.filter((s) => !s.ring)).toEqual([]);
    expect(stops.some((s) => s.what.startsWith('div | rowgroup'))).toBe(true);
  });
});

// Not accessibility, but what the same user meets on the same pages: Grafana formats times in
// the user's time zone preference (Grafana's app.ts: setTimeZoneResolver(() =>
// config.bootData.user.timezone)), which need not be the browser's.
describe("times in the Grafana user's time zone, with Chromium in another", () => {
  // Tokyo: UTC+9 all year, so neither UTC nor New York.
  const BROWSER_ZONE = 'Asia/Tokyo';
  // A breadcrumb at 1700000000.123 s after the epoch: 19,675 days (2023-11-14) and 80,000.123 s
  // (22:13:20.123) UTC; New York is on EST (UTC−5) then, its DST having ended on 2023-11-05.
  const CRUMB = 1700000000.123;
  const crumbShown = {
    utc: '2023-11-14 22:13:20.123 UTC',
    'America/New_York': '2023-11-14 17:13:20.123 EST',
    // The browser's own zone, as Grafana writes it: no abbreviation (moment's local zone has none).
    browser: '2023-11-15 07:13:20.123',
  };

  /** `iso` in `timeZone` as YYYY-MM-DD HH:mm:ss.SSS and its short name, by the ICU in Node. */
  function inZone(iso: string, timeZone: string): string {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        fractionalSecondDigits: 3,
        hourCycle: 'h23',
        timeZoneName: 'short',
      })
        .formatToParts(new Date(iso))
        .map((p) => [p.type, p.value]),
    );
    const { year, month, day, hour, minute, second, fractionalSecond, timeZoneName } = parts;
    return `${year}-${month}-${day} ${hour}:${minute}:${second}.${fractionalSecond} ${timeZoneName}`;
  }

  let issue: number;
  let event: { timestamp: string };
  let session: { start: string };
  let firstSeen: string;

  beforeAll(async () => {
    const res = await fetch(`${tracker.url}/api/${tracker.project.id}/store/`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Sentry-Auth': `Sentry sentry_version=7, sentry_key=${tracker.project.key}`,
      },
      body: JSON.stringify({
        event_id: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
        platform: 'javascript',
        exception: { values: [{ type: 'RangeError', value: 'time zone check' }] },
        breadcrumbs: [{ timestamp: CRUMB, category: 'ui.click', message: 'pay' }],
      }),
    });
    expect(res.status).toBe(200);
    for (let i = 0; !issue; i++) {
      issue = await issueId('time zone check').catch((e) => {
        if (i > 100) throw e;
        return new Promise<number>((r) => setTimeout(() => r(0), 100));
      });
    }
    [event] = (
      await tracker.api<{ items: Array<{ timestamp: string }> }>(`/issues/${issue}/events`)
    ).items;
    session = await tracker.api<{ start: string }>(`/sessions/${CORRELATION_ID}`);
    ({ firstSeen } = await tracker.api<{ firstSeen: string }>(`/issues/${issue}`));
  });

  afterEach(() => {
    host.user.timezone = 'browser';
  });

  test.each(['utc', 'America/New_York', 'browser'] as const)(
    'the user in %s: issue detail (event, breadcrumbs, first seen) and debug session',
    async (zone) => {
      host.user.timezone = zone;
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Emulation.setTimezoneOverride', { timezoneId: BROWSER_ZONE });
      await page.goto(app(`issues/${issue}`));
      expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe(
        BROWSER_ZONE,
      );
      const crumbs = await visible(testIds.issue.breadcrumbs);
      await expect(crumbs.locator('tbody td').first().innerText()).resolves.toBe(crumbShown[zone]);
      const expected = (iso: string) =>
        zone === 'browser' ? inZone(iso, BROWSER_ZONE).replace(/ \S+$/, '') : inZone(iso, zone);
      await expect(page.getByText(/^Event /).innerText()).resolves.toContain(
        ` · ${expected(event.timestamp)} · `,
      );
      // The exact time behind "First seen 2m ago" in the same zone, and in UTC after it where
      // that zone is not UTC.
      const exact =
        zone === 'utc'
          ? inZone(firstSeen, 'UTC')
          : `${expected(firstSeen)} (${inZone(firstSeen, 'UTC')})`;
      const firstSeenRow = page.locator('tr', {
        has: page.locator('th', { hasText: 'First seen' }),
      });
      await expect(firstSeenRow.locator('td').textContent()).resolves.toContain(` (${exact})`);
      await page.goto(app(`sessions/${CORRELATION_ID}`));
      await visible(testIds.session.operation);
      await expect(page.getByText(/^started /).innerText()).resolves.toBe(
        `started ${expected(session.start)}`,
      );
    },
  );
});
