// Severity and type category of an error, assigned automatically (names from DESIGN.md):
// severities critical, error, warning, info; types application, database, external_api,
// validation, security. An explicit `error_type` tag wins.
import type { ExceptionValue } from './grouping';

export const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export const TYPES = ['application', 'database', 'external_api', 'validation', 'security'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type ErrorType = (typeof TYPES)[number];

/** Checked in this order: the first whose pattern occurs anywhere in an error's text wins. */
export const RULES: readonly [ErrorType, RegExp][] = [
  [
    'security',
    /unauthori[sz]ed|forbidden|csrf|xss|injection|permission denied|access denied|auth(?:entication|orization)?error|invalid (?:token|signature|credentials)|jwt|security/i,
  ],
  [
    'database',
    /\b(?:sql|sqlite|postgres|pg|mysql|mongo(?:db)?|redis|sequelize|prisma|typeorm|knex|database|db)\b|queryfailed|deadlock|connection pool|relation ".*" does not exist|duplicate key/i,
  ],
  [
    'external_api',
    /econnrefused|econnreset|etimedout|enotfound|eai_again|socket hang up|fetcherror|axioserror|upstream|bad gateway|gateway timeout|service unavailable|status code 5\d\d|request failed|timeout of \d+ms/i,
  ],
  [
    'validation',
    /validation|invalid (?:input|argument|request|parameter|value|payload)|zoderror|joi|yup|bad request|required field|must be|schema/i,
  ],
];

/** Any rule's pattern: most errors match none, and are then told apart in one scan, not four. */
const ANY_RULE = new RegExp(RULES.map(([, re]) => `(?:${re.source})`).join('|'), 'i');

/** How many of the last library frames (in_app false) the text takes. */
const LIBRARY_FRAMES = 3;

export function classifyType(
  exceptions: readonly ExceptionValue[],
  message: string,
  tag?: string,
): ErrorType {
  if (tag && (TYPES as readonly string[]).includes(tag)) return tag as ErrorType;
  // Each exception's type, value and module, the last library frames' modules (or files), and
  // the message, a line each.
  let text = '';
  for (const e of exceptions) text += `${e.type ?? ''}\n${e.value ?? ''}\n${e.module ?? ''}\n`;
  const library: string[] = [];
  for (const e of exceptions)
    for (const f of e.stacktrace?.frames ?? [])
      if (f.in_app === false) library.push(f.module ?? f.filename ?? '');
  for (const m of library.slice(-LIBRARY_FRAMES)) text += `${m}\n`;
  text += message;
  if (!ANY_RULE.test(text)) return 'application';
  for (const [type, re] of RULES) if (re.test(text)) return type;
  return 'application';
}

/** From the SDK's level, raised one step for security errors and unhandled crashes. */
export function classifySeverity(level: unknown, type: ErrorType, unhandled: boolean): Severity {
  const l = typeof level === 'string' ? level.toLowerCase() : 'error';
  let severity: Severity =
    l === 'fatal'
      ? 'critical'
      : l === 'warning'
        ? 'warning'
        : l === 'info' || l === 'debug' || l === 'log'
          ? 'info'
          : 'error';
  if (severity === 'error' && (type === 'security' || unhandled)) severity = 'critical';
  return severity;
}
