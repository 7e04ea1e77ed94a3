// diff and push: compare the built dashboards with a live Grafana and bring it in line, through
// the GrafanaApi seam. Beacon owns the dashboards tagged `beacon`; it never overwrites or
// removes one without that tag.
import type { DashboardJson } from '../build';
import type { DashboardModel, GrafanaApi, SearchHit } from './client';

/** The tag that marks a dashboard in Grafana as Beacon's. */
export const OWNER_TAG = 'beacon';
/** The folder dashboards go to when `--folder` is not given (as in the provisioning file). */
export const DEFAULT_FOLDER_UID = 'beacon';
export const DEFAULT_FOLDER_TITLE = 'Beacon';
/** Fields Grafana adds or bumps on save; never a difference. */
const SERVER_FIELDS = ['id', 'version', 'iteration'];

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const isObj = (v: unknown): v is { [key: string]: Json } =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

export interface Change {
  kind: 'added' | 'removed' | 'changed';
  /** Readable path, e.g. `panels[3 "Error ratio"].targets[0].expr`. */
  path: string;
  from?: unknown;
  to?: unknown;
}

export type DashboardStatus = 'new' | 'changed' | 'unchanged';

export interface DashboardDiff {
  uid: string;
  title: string;
  status: DashboardStatus;
  changes: Change[];
  /** Grafana's current version, when the dashboard exists there. */
  version?: number;
  /**
   * Grafana holds it from file provisioning (`meta.provisioned`, set when the provider does not
   * allow UI updates): the API refuses to save it (400 "Cannot save provisioned dashboard").
   */
  provisioned?: boolean;
}

/** A dashboard tagged beacon in Grafana that is no longer built. */
export interface StaleDashboard extends SearchHit {
  /** Provisioned from a file: the API refuses to delete it. */
  provisioned?: boolean;
}

export interface SyncPlan {
  dashboards: DashboardDiff[];
  /** Dashboards tagged beacon in Grafana that are no longer built (only looked up with prune). */
  stale: StaleDashboard[];
}

export interface SyncOptions {
  folderUid?: string;
  prune?: boolean;
}

/** A dashboard reduced to what is compared: server-added fields dropped, keys sorted. */
export function normalizeDashboard(d: DashboardModel): Json {
  const copy: { [key: string]: Json } = {};
  for (const key of Object.keys(d).sort()) {
    if (!SERVER_FIELDS.includes(key)) copy[key] = sortDeep(d[key] as Json);
  }
  return copy;
}

function sortDeep(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (isObj(v)) {
    const out: { [key: string]: Json } = {};
    for (const k of Object.keys(v).sort()) out[k] = sortDeep(v[k] as Json);
    return out;
  }
  return v;
}

/** `path[i]`, with the panel title for panels: `panels[3 "Error ratio"]`. */
function index(path: string, i: number, item: Json): string {
  const isPanels = /(^|\.)panels$/.test(path);
  const title =
    isPanels && isObj(item) && typeof item.title === 'string'
      ? ` ${JSON.stringify(item.title)}`
      : '';
  return `${path}[${i}${title}]`;
}

function member(path: string, key: string): string {
  if (!/^[A-Za-z_$][\w$]*$/.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** The differences from `from` (Grafana) to `to` (built), in document order. */
export function diffJson(from: Json, to: Json, path = ''): Change[] {
  if (Array.isArray(from) && Array.isArray(to)) {
    const out: Change[] = [];
    for (let i = 0; i < Math.max(from.length, to.length); i++) {
      const a = from[i] as Json;
      const b = to[i] as Json;
      if (i >= from.length) out.push({ kind: 'added', path: index(path, i, b), to: b });
      else if (i >= to.length) out.push({ kind: 'removed', path: index(path, i, a), from: a });
      else out.push(...diffJson(a, b, index(path, i, b)));
    }
    return out;
  }
  if (isObj(from) && isObj(to)) {
    const out: Change[] = [];
    const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
    for (const k of keys) {
      const p = member(path, k);
      if (!(k in from)) out.push({ kind: 'added', path: p, to: to[k] });
      else if (!(k in to)) out.push({ kind: 'removed', path: p, from: from[k] });
      else out.push(...diffJson(from[k] as Json, to[k] as Json, p));
    }
    return out;
  }
  if (JSON.stringify(from) === JSON.stringify(to)) return [];
  return [{ kind: 'changed', path: path || '/', from, to }];
}

/** The built dashboard as it is sent: the ownership tag always present. */
export function withOwnerTag(d: DashboardJson): DashboardJson {
  const tags = Array.isArray(d.tags) ? (d.tags as unknown[]).map(String) : [];
  return tags.includes(OWNER_TAG) ? d : { ...d, tags: [...tags, OWNER_TAG] };
}

function isOwned(d: DashboardModel): boolean {
  return Array.isArray(d.tags) && d.tags.includes(OWNER_TAG);
}

/** Compares every built dashboard with Grafana; with `prune`, also finds stale owned ones. */
export async function planSync(
  api: GrafanaApi,
  built: readonly DashboardJson[],
  options: SyncOptions = {},
): Promise<SyncPlan> {
  const folderUid = options.folderUid ?? DEFAULT_FOLDER_UID;
  const dashboards: DashboardDiff[] = [];
  for (const raw of built) {
    const d = withOwnerTag(raw);
    const uid = String(d.uid);
    const title = String(d.title);
    const stored = await api.getDashboard(uid);
    if (!stored) {
      dashboards.push({ uid, title, status: 'new', changes: [] });
      continue;
    }
    if (!isOwned(stored.dashboard)) {
      throw new Error(
        `dashboard ${uid} exists in Grafana (${JSON.stringify(stored.dashboard.title)}) without the ${OWNER_TAG} tag: it is not Beacon's, so Beacon will not overwrite it; delete it or change its uid`,
      );
    }
    const changes = diffJson(normalizeDashboard(stored.dashboard), normalizeDashboard(d));
    const currentFolder = stored.meta?.folderUid ?? '';
    if (currentFolder !== folderUid) {
      changes.push({ kind: 'changed', path: 'folder', from: currentFolder, to: folderUid });
    }
    const version = stored.dashboard.version;
    dashboards.push({
      uid,
      title,
      status: changes.length > 0 ? 'changed' : 'unchanged',
      changes,
      ...(typeof version === 'number' ? { version } : {}),
      ...(stored.meta?.provisioned === true ? { provisioned: true } : {}),
    });
  }
  const stale: StaleDashboard[] = [];
  if (options.prune) {
    const builtUids = new Set(built.map((d) => String(d.uid)));
    const hits = await api.searchDashboardsByTag(OWNER_TAG);
    const found = hits
      .filter((h) => h.type === 'dash-db' && h.tags.includes(OWNER_TAG) && !builtUids.has(h.uid))
      .sort((a, b) => a.uid.localeCompare(b.uid));
    // A search hit does not say whether a file provisions it; the dashboard's meta does.
    for (const hit of found) {
      const stored = await api.getDashboard(hit.uid);
      stale.push(stored?.meta?.provisioned === true ? { ...hit, provisioned: true } : hit);
    }
  }
  return { dashboards, stale };
}

/**
 * The dashboards push would have to save or delete that Grafana holds from file provisioning:
 * the API refuses those writes, so push refuses the whole plan before it writes anything.
 */
export function provisionedBlockers(plan: SyncPlan): string[] {
  return [
    ...plan.dashboards.filter((d) => d.provisioned && d.status !== 'unchanged').map((d) => d.uid),
    ...plan.stale.filter((s) => s.provisioned).map((s) => s.uid),
  ];
}

/** True when applying the plan would change something in Grafana. */
export function planHasChanges(plan: SyncPlan): boolean {
  return plan.stale.length > 0 || plan.dashboards.some((d) => d.status !== 'unchanged');
}

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? 'undefined';
  return s.length > 160 ? `${s.slice(0, 157)}…` : s;
}

const MAX_LINES = 25;
const PROVISIONED = 'provisioned by a file: cannot be pushed';

/** The readable change summary diff prints. */
export function formatPlan(plan: SyncPlan, options: { prune?: boolean } = {}): string {
  const lines: string[] = [];
  for (const d of plan.dashboards) {
    if (d.status === 'unchanged') {
      lines.push(`${d.uid}: unchanged${d.provisioned ? ' (provisioned by a file)' : ''}`);
    } else if (d.status === 'new') lines.push(`${d.uid}: new (not in Grafana yet)`);
    else {
      const n = d.changes.length;
      lines.push(
        `${d.uid}: ${n} change${n === 1 ? '' : 's'} (Grafana version ${d.version ?? '?'})` +
          (d.provisioned ? ` — ${PROVISIONED}` : ''),
      );
      for (const c of d.changes.slice(0, MAX_LINES)) {
        if (c.kind === 'added') lines.push(`  + ${c.path}: ${show(c.to)}`);
        else if (c.kind === 'removed') lines.push(`  - ${c.path}: ${show(c.from)}`);
        else lines.push(`  ~ ${c.path}: ${show(c.from)} → ${show(c.to)}`);
      }
      if (n > MAX_LINES) lines.push(`  … and ${n - MAX_LINES} more`);
    }
  }
  for (const s of plan.stale) {
    lines.push(
      `${s.uid}: removed (tagged ${OWNER_TAG} in Grafana, no longer built)` +
        (s.provisioned ? ` — ${PROVISIONED}` : ''),
    );
  }
  const count = (s: DashboardStatus) => plan.dashboards.filter((d) => d.status === s).length;
  const parts = [
    `${count('new')} new`,
    `${count('changed')} changed`,
    `${count('unchanged')} unchanged`,
  ];
  if (options.prune) parts.push(`${plan.stale.length} removed`);
  const blocked = provisionedBlockers(plan).length;
  if (blocked > 0) parts.push(`${blocked} provisioned (push refuses)`);
  lines.push(`summary: ${parts.join(', ')}`);
  return lines.join('\n') + '\n';
}

export interface PushOptions extends SyncOptions {
  /** The version-history message Grafana records. */
  message?: string;
  /** Receives one progress line per dashboard (and for the folder and each removal). */
  progress?: (line: string) => void;
  /**
   * Filled in as push goes (default: a fresh one, returned): when push throws, the caller's
   * object still holds what was done before the error.
   */
  tally?: PushResult;
}

export interface PushResult {
  created: string[];
  updated: string[];
  unchanged: string[];
  deleted: string[];
  folderCreated: boolean;
}

/** A PushResult with nothing done yet. */
export function emptyPushResult(): PushResult {
  return { created: [], updated: [], unchanged: [], deleted: [], folderCreated: false };
}

/** Refused before any write: a dashboard push would save or delete is provisioned by a file. */
export class ProvisionedError extends Error {
  constructor(readonly uids: string[]) {
    super(
      `refusing to push, nothing was changed: Grafana holds these dashboards from file provisioning (meta.provisioned), and its API refuses to save or delete them (400 "Cannot save provisioned dashboard"): ${uids.join(', ')}. Change them in the provisioned files, or take them out of the provisioning (or set allowUiUpdates: true on its provider), then push again`,
    );
    this.name = 'ProvisionedError';
  }
}

/**
 * Brings Grafana in line with the build: the folder created when missing, new and changed
 * dashboards saved (unchanged ones left alone, so their version history stays clean), and with
 * `prune` the stale owned ones deleted. Everything is read first; a dashboard to save or delete
 * that is provisioned by a file refuses the push before any write (ProvisionedError). Stops at
 * the first error, which names the dashboard; `options.tally` then holds what was done.
 */
export async function push(
  api: GrafanaApi,
  built: readonly DashboardJson[],
  options: PushOptions = {},
): Promise<PushResult> {
  const folderUid = options.folderUid ?? DEFAULT_FOLDER_UID;
  const progress = options.progress ?? (() => undefined);
  const result = options.tally ?? emptyPushResult();

  const folderExists = (await api.getFolder(folderUid)) !== undefined;
  const plan = await planSync(api, built, options);
  const blockers = provisionedBlockers(plan);
  if (blockers.length > 0) throw new ProvisionedError(blockers);

  if (!folderExists) {
    const title = folderUid === DEFAULT_FOLDER_UID ? DEFAULT_FOLDER_TITLE : folderUid;
    await api.createFolder({ uid: folderUid, title });
    result.folderCreated = true;
    progress(`folder ${folderUid}: created ("${title}")`);
  }

  const byUid = new Map(built.map((d) => [String(d.uid), d]));
  for (const d of plan.dashboards) {
    if (d.status === 'unchanged') {
      result.unchanged.push(d.uid);
      progress(`${d.uid}: unchanged`);
      continue;
    }
    const dashboard: DashboardModel = { ...withOwnerTag(byUid.get(d.uid) as DashboardJson) };
    dashboard.id = null;
    // Optimistic concurrency: Grafana answers 412 version-mismatch if someone saved the
    // dashboard after we read it, instead of silently overwriting their change.
    if (d.version !== undefined) dashboard.version = d.version;
    else delete dashboard.version;
    const saved = await api.saveDashboard({
      dashboard,
      folderUid,
      overwrite: false,
      message: options.message ?? 'beacon-dashboards push',
    });
    if (d.status === 'new') {
      result.created.push(d.uid);
      progress(`${d.uid}: created (version ${saved.version}) ${saved.url}`);
    } else {
      result.updated.push(d.uid);
      const n = d.changes.length;
      progress(
        `${d.uid}: updated, ${n} change${n === 1 ? '' : 's'} (version ${d.version ?? '?'} → ${saved.version}) ${saved.url}`,
      );
    }
  }
  for (const s of plan.stale) {
    await api.deleteDashboard(s.uid);
    result.deleted.push(s.uid);
    progress(`${s.uid}: deleted ("${s.title}", no longer built)`);
  }
  return result;
}
