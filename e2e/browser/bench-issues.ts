// The Grafana plugin's issues page with 10,000 issues, in headless Chromium through the plugin
// host (host/) and a real tracking server seeded with 10,000 distinct issues. Prints:
//   - route mounted → first rows painted (User Timing mark in IssuesPage → Element Timing of the
//     first row's title), per run and the median, next to the issue's floor (≤ 300 ms), and the
//     first page's API time through the proxy (part of it);
//   - the longest frame and the 95th-percentile frame while scrolling the 10,000 loaded issues
//     from top to end;
//   - the gzipped size of dist/module.js and each chunk.
// A benchmark, not a test: it prints numbers and asserts nothing.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { FIRST_PAGE_SIZE, PERF } from '../../packages/grafana-app-plugin/src/constants';
import { testIds } from '../../packages/grafana-app-plugin/src/components/testIds';
import { launch } from './browser';
import { buildHost } from './host/build';
import { startHost } from './host/server';
import { artifactsDir, pluginDir } from './paths';
import { startSeededTracker } from './tracker';

const ISSUES = 10_000;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const PLUGIN_ID = 'beacon-observability-app';

/** 10,000 distinct issues: each event has its own fingerprint, spread over services and levels. */
async function seedIssues(dsn: string): Promise<void> {
  const url = new URL(dsn);
  const key = url.username;
  const project = url.pathname.slice(1);
  const endpoint = `${url.protocol}//${url.host}/api/${project}/envelope/?sentry_key=${key}`;
  const services = ['checkout', 'payments', 'search', 'video-processing', 'ai-service'];
  const levels = ['error', 'error', 'warning', 'fatal'];
  let next = 0;
  const worker = async () => {
    while (next < ISSUES) {
      const n = next++;
      const event = {
        event_id: (n + 1).toString(16).padStart(32, '0'),
        timestamp: Date.now() / 1000,
        platform: 'node',
        level: levels[n % levels.length],
        fingerprint: [`bench-${n}`],
        release: 'checkout@2.3.1',
        environment: 'production',
        tags: { service: services[n % services.length] },
        exception: {
          values: [{ type: 'Error', value: `bench issue ${n}: order ${n * 7} failed` }],
        },
      };
      const body = `${JSON.stringify({ event_id: event.event_id })}\n{"type":"event"}\n${JSON.stringify(event)}\n`;
      const res = await fetch(endpoint, { method: 'POST', body });
      if (!res.ok) throw new Error(`seeding issue ${n}: ${res.status} ${await res.text()}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

interface Paint {
  /** Mount mark → first row's title painted. */
  total: number;
  /** Mount mark → the first issues request sent. */
  toRequest: number;
  /** The first issues request, sent → answer read (through the host's proxy). */
  request: number;
  /** Answer read → first row painted. */
  toPaint: number;
}

/** The page's mount mark to the first row's paint, read from the browser's own timing entries. */
async function mountToPaint(page: Page): Promise<Paint> {
  return page.evaluate(
    ({ mounted, firstRow }) =>
      new Promise<Paint>((resolve) => {
        new PerformanceObserver((list, observer) => {
          const row = list
            .getEntries()
            .find((e) => (e as PerformanceEntry & { identifier: string }).identifier === firstRow);
          if (!row) return;
          observer.disconnect();
          const paint = (row as PerformanceEntry & { renderTime: number }).renderTime;
          const mark = performance.getEntriesByName(mounted)[0].startTime;
          const issues = performance
            .getEntriesByType('resource')
            .find((r) => r.name.includes('/tracker/api/v1/issues?')) as PerformanceResourceTiming;
          resolve({
            total: paint - mark,
            toRequest: issues.fetchStart - mark,
            request: issues.responseEnd - issues.fetchStart,
            toPaint: paint - issues.responseEnd,
          });
        }).observe({ type: 'element', buffered: true });
      }),
    { mounted: PERF.issuesMounted, firstRow: PERF.issuesFirstRow },
  );
}

/** Loads every page (the list fetches the next as its end scrolls into view). */
async function loadAll(page: Page): Promise<void> {
  const list = page.getByTestId(testIds.issues.list);
  const count = page.getByTestId(testIds.issues.count);
  for (let i = 0; i < 200; i++) {
    // The seeded tracker also holds seed-app.cjs's few issues.
    const text = await count.innerText();
    if (parseInt(text, 10) >= ISSUES && !text.includes('more available')) return;
    await list.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.waitForTimeout(100);
  }
  throw new Error(`the list did not load ${ISSUES} issues: ${await count.innerText()}`);
}

/** Scrolls top to end, 10 rows a frame, and returns every frame's duration in ms. */
async function scrollFrames(page: Page): Promise<number[]> {
  return page.getByTestId(testIds.issues.list).evaluate(
    (el) =>
      new Promise<number[]>((resolve) => {
        el.scrollTop = 0;
        const frames: number[] = [];
        let last = 0;
        const step = (now: number) => {
          if (last) frames.push(now - last);
          last = now;
          if (el.scrollTop + el.clientHeight >= el.scrollHeight) return resolve(frames);
          el.scrollTop += 480;
          requestAnimationFrame(step);
        };
        requestAnimationFrame(step);
      }),
  );
}

function gzippedSizes(dist: string): Array<[string, number, number]> {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : name.endsWith('.js') ? [path] : [];
    });
  return walk(dist)
    .sort()
    .map((file) => {
      const bytes = readFileSync(file);
      return [relative(dist, file), bytes.length, gzipSync(bytes, { level: 9 }).length];
    });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function main() {
  const hostDir = join(artifactsDir, 'host');
  const [tracker] = await Promise.all([startSeededTracker(), buildHost(hostDir)]);
  const seeded = Date.now();
  await seedIssues(tracker.project.dsn);
  console.log(
    `seeded ${ISSUES} issues into the tracker in ${((Date.now() - seeded) / 1000).toFixed(1)} s`,
  );
  const host = await startHost({
    pluginDist: join(pluginDir, 'dist'),
    hostDir,
    settings: {
      jsonData: { trackerUrl: tracker.url },
      secureJsonData: { apiToken: tracker.apiToken },
    },
  });
  // The tracker's own time for the first page, asked directly: the part of the paint time that
  // is not the browser's.
  const direct: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const t0 = performance.now();
    await tracker.api(`/issues?sort=last_seen&limit=${FIRST_PAGE_SIZE}`);
    if (i > 0) direct.push(performance.now() - t0);
  }
  const browser = await launch({ width: 1400, height: 1000 });
  try {
    const paints: Paint[] = [];
    let frames: number[] = [];
    for (let run = 0; run <= RUNS; run++) {
      const page = await browser.open();
      await page.goto(`${host.url}/a/${PLUGIN_ID}/issues`);
      const paint = await mountToPaint(page);
      // Run 0 warms the browser's caches (host bundle, plugin chunks) and the tracker's.
      if (run > 0) paints.push(paint);
      if (run === RUNS) {
        await loadAll(page);
        frames = await scrollFrames(page);
      }
      await page.close();
    }
    if (browser.problems.length) console.log(`browser problems: ${browser.problems.join('; ')}`);

    console.log(`\nissues page, ${ISSUES} issues in the tracker, ${RUNS} runs after one warm-up`);
    const totals = paints.map((p) => p.total);
    const part = (key: keyof Paint) => ms(median(paints.map((p) => p[key])));
    console.log(
      `  route mounted → first rows painted: median ${ms(median(totals))}, max ${ms(Math.max(...totals))}  (floor ≤ 300 ms)`,
    );
    console.log(`    runs: ${totals.map((p) => p.toFixed(0)).join(', ')} ms`);
    console.log(
      `    medians: mount → request sent ${part('toRequest')}, first page (${FIRST_PAGE_SIZE} issues) through the proxy ${part('request')}, answer → painted ${part('toPaint')}`,
    );
    console.log(`    the same page asked of the tracker directly: median ${ms(median(direct))}`);
    console.log(
      `  scrolling ${ISSUES} loaded issues top to end (${frames.length} frames, 10 rows a frame):`,
    );
    console.log(
      `    longest frame ${ms(Math.max(...frames))}, p95 ${ms(pct(frames, 0.95))}, median ${ms(median(frames))}`,
    );

    console.log('\nbundle (dist/, gzip -9):');
    let raw = 0;
    let gz = 0;
    for (const [file, size, gzipped] of gzippedSizes(join(pluginDir, 'dist'))) {
      console.log(
        `  ${file.padEnd(36)} ${(size / 1024).toFixed(1).padStart(8)} KiB  ${(gzipped / 1024).toFixed(1).padStart(7)} KiB gzipped`,
      );
      raw += size;
      gz += gzipped;
    }
    console.log(
      `  ${'total'.padEnd(36)} ${(raw / 1024).toFixed(1).padStart(8)} KiB  ${(gz / 1024).toFixed(1).padStart(7)} KiB gzipped`,
    );
  } finally {
    await browser.close();
    await host.close();
    await tracker.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
