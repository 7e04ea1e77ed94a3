import { runbookFor } from './types';
import type { AlertSpec } from './types';

/** An alert whose runbook is the conventional `runbooks/<name>.md`. */
export function defineAlert(spec: Omit<AlertSpec, 'runbook'>): AlertSpec {
  return { ...spec, runbook: runbookFor(spec.name) };
}
