// Retention: events, operations, memory snapshots and sessions older than a project's
// `retentionDays` are deleted. Every project is covered: those in config.json by their own
// setting, every other project whose data is in the store (one removed from config.json, or
// never listed) by the default. Deletes go in transactions of at most `batch` rows through the
// writer, queued between ingest batches, so a sweep never holds up a commit for long.
import type { Project, ProjectSettings } from './projects';
import type { RetentionScope } from './store/repository';
import type { EventWriter } from './store/writer';

const DAY = 86_400_000;

/** One delete rule of a sweep: data of `scope` older than `before`. */
export interface RetentionRule {
  readonly scope: RetentionScope;
  readonly before: number;
}

/**
 * The rules for a sweep at `now`; a retention of 0 days keeps data for ever. A project kept as
 * long as the default goes with the default's rule: a rule's deletes walk the oldest rows first
 * and step over other projects' rows (once a sweep, age-walk.ts), so one rule per project would
 * walk the store's old rows once per project.
 */
export function retentionRules(
  projects: readonly Pick<Project, 'id' | 'retentionDays'>[],
  defaults: Pick<ProjectSettings, 'retentionDays'>,
  now: number,
): RetentionRule[] {
  const own = projects.filter((p) => p.retentionDays !== defaults.retentionDays);
  const rules: RetentionRule[] = own
    .filter((p) => p.retentionDays > 0)
    .map((p) => ({ scope: p.id, before: now - p.retentionDays * DAY }));
  if (defaults.retentionDays > 0)
    rules.push({
      scope: { except: own.map((p) => p.id) },
      before: now - defaults.retentionDays * DAY,
    });
  return rules;
}

/**
 * Applies the rules, a batch at a time, until nothing is left to delete or `stopped()` (checked
 * before each batch: a shutdown ends a sweep before the writer closes); returns rows deleted.
 */
export async function sweepRetention(
  writer: Pick<EventWriter, 'deleteEventsBefore' | 'deleteSessionsBefore' | 'takeRetentionDeletes'>,
  rules: readonly RetentionRule[],
  batch = 500,
  stopped: () => boolean = () => false,
): Promise<number> {
  await writer.takeRetentionDeletes(); // only this sweep's
  for (const { scope, before } of rules) {
    while (!stopped()) {
      const n =
        (await writer.deleteEventsBefore(before, batch, scope)) +
        (await writer.deleteSessionsBefore(before, batch, scope));
      if (n === 0) break;
      await new Promise((r) => setImmediate(r)); // let ingest batches in between
    }
  }
  return writer.takeRetentionDeletes();
}
