// What the HTTP tests read back of a test tracker (test-tracker.ts): through its API with the
// test token, its /metrics, and straight from its database on a connection of the test's own.
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** The API's answer to a GET of `path` (below /api/v1), with the test tracker's token. */
export const apiGet = (url: string, path: string, token = 't') =>
  fetch(`${url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });

const apiJson = async <T>(url: string, path: string) =>
  (await (await apiGet(url, path)).json()) as T;

/**
 * The one stored event of the one issue titled `title`, as `GET /issues/{id}/events` lists it;
 * throws where there is not exactly one of each.
 */
export async function onlyEvent<T>(url: string, title: string): Promise<T> {
  const issues = await apiJson<{ items: { id: number; title: string }[] }>(
    url,
    `/issues?q=${encodeURIComponent(title)}`,
  );
  const found = issues.items.filter((i) => i.title === title);
  if (found.length !== 1)
    throw new Error(`expected one issue titled ${JSON.stringify(title)}, found ${found.length}`);
  const events = await apiJson<{ items: T[] }>(url, `/issues/${found[0]?.id}/events`);
  if (events.items.length !== 1)
    throw new Error(`expected one event of ${JSON.stringify(title)}, found ${events.items.length}`);
  return events.items[0] as T;
}

/** The tracker's /metrics page, as Prometheus scrapes it. */
export const metricsText = async (url: string) => (await fetch(`${url}/metrics`)).text();

/** The sample of the line `name{labels}` as /metrics writes it, 0 while there is none. */
export function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

/** The rows of `table` in the database of the tracker whose data directory is `dir`. */
export function tableRows(
  dir: string,
  table: 'attachments' | 'feedback' | 'feedback_attachments',
): number {
  const db = new Database(join(dir, 'tracker.db'), { readonly: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}
