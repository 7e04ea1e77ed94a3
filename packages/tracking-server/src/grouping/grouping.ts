// Which issue an event belongs to, in Sentry's order of preference, recording the rule used:
//   1. a custom fingerprint (with `{{ default }}` standing for what the rules below give);
//   2. the in-app stack frames: module (or normalised filename) + function, per exception;
//   3. the exception type + value with ids, numbers, hex and IP addresses stripped;
//   4. the message template (logentry.message before formatting), normalised the same way.
import { createHash } from 'node:crypto';

export type GroupedBy = 'fingerprint' | 'in-app frames' | 'exception type and value' | 'message';

export interface Grouping {
  readonly hash: string;
  readonly groupedBy: GroupedBy;
  /** The parts that were hashed, for "why grouped". */
  readonly components: readonly string[];
}

export interface Frame {
  readonly filename?: string;
  readonly abs_path?: string;
  readonly module?: string;
  readonly function?: string;
  readonly in_app?: boolean;
  readonly lineno?: number;
}

export interface ExceptionValue {
  readonly type?: string;
  readonly value?: string;
  readonly module?: string;
  readonly stacktrace?: { readonly frames?: readonly Frame[] };
}

export interface SentryEventLike {
  readonly fingerprint?: readonly unknown[];
  readonly exception?: { readonly values?: readonly ExceptionValue[] };
  readonly message?: unknown;
  readonly logentry?: { readonly message?: string; readonly formatted?: string };
}

const sha = (parts: readonly string[]) =>
  createHash('sha1').update(parts.join('\u0000')).digest('hex').slice(0, 32);

/** Strips what varies between occurrences of one error: ids, numbers, hex, IPs, emails, quotes. */
export function normaliseText(text: string): string {
  return text
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
    .replace(/\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b/g, '<ip>')
    .replace(/\b(?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{1,4}\b/gi, '<ip>')
    .replace(/\b[\w.+-]+@[\w-]+\.[\w.-]+\b/g, '<email>')
    .replace(/\b0x[0-9a-f]+\b/gi, '<hex>')
    .replace(/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi, '<hex>')
    .replace(/\b\d+(?:\.\d+)?\b/g, '<num>')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A filename without what differs between builds and machines: directories, hashes, query. */
export function normaliseFilename(name: string): string {
  let f = name
    .replace(/[?#].*$/, '')
    .replace(/\\/g, '/')
    .replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*\//i, '');
  const nm = f.lastIndexOf('/node_modules/');
  if (nm >= 0) f = f.slice(nm + '/node_modules/'.length);
  else f = f.replace(/^(?:[a-z]+:\/\/[^/]+)?\/?(?:.*\/)?(?=(?:src|lib|app|dist|build)\/)/i, '');
  return f.replace(/[.-][0-9a-f]{8,}(?=\.[a-z]+$)/i, '');
}

function frameKey(f: Frame): string | undefined {
  const where =
    f.module || (f.filename || f.abs_path ? normaliseFilename(f.filename || f.abs_path || '') : '');
  const fn = f.function && f.function !== '?' && f.function !== '<anonymous>' ? f.function : '';
  return where || fn ? `${where}:${fn}` : undefined;
}

function defaultGrouping(event: SentryEventLike): Grouping {
  const exceptions = event.exception?.values ?? [];
  const inApp: string[] = [];
  for (const ex of exceptions) {
    for (const f of ex.stacktrace?.frames ?? []) {
      if (f.in_app !== true) continue;
      const key = frameKey(f);
      if (key) inApp.push(key);
    }
  }
  if (inApp.length > 0) {
    const types = exceptions.map((e) => e.type ?? 'Error');
    const components = [...types, ...inApp];
    return { hash: sha(['frames', ...components]), groupedBy: 'in-app frames', components };
  }
  const last = exceptions[exceptions.length - 1];
  if (last && (last.type || last.value)) {
    const components = exceptions.map(
      (e) => `${e.type ?? 'Error'}: ${normaliseText(e.value ?? '')}`,
    );
    return {
      hash: sha(['exception', ...components]),
      groupedBy: 'exception type and value',
      components,
    };
  }
  const template =
    event.logentry?.message ??
    (typeof event.message === 'string'
      ? event.message
      : (event.message as { message?: string } | undefined)?.message) ??
    event.logentry?.formatted ??
    '';
  const components = [normaliseText(template) || '<empty message>'];
  return { hash: sha(['message', ...components]), groupedBy: 'message', components };
}

export function groupEvent(event: SentryEventLike): Grouping {
  const fp = Array.isArray(event.fingerprint) ? event.fingerprint.map(String) : [];
  if (fp.length > 0 && !(fp.length === 1 && /^\{\{\s*default\s*\}\}$/.test(fp[0] as string))) {
    const base = fp.some((p) => /^\{\{\s*default\s*\}\}$/.test(p))
      ? defaultGrouping(event)
      : undefined;
    const components = fp.flatMap((p) =>
      /^\{\{\s*default\s*\}\}$/.test(p) ? (base?.components ?? []) : [p],
    );
    return { hash: sha(['fingerprint', ...components]), groupedBy: 'fingerprint', components };
  }
  return defaultGrouping(event);
}
