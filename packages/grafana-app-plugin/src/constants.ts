import pluginJson from './plugin.json';

export const PLUGIN_ID = pluginJson.id;
export const PLUGIN_BASE_URL = `/a/${PLUGIN_ID}`;
/** Grafana's page for the app's settings (our configuration page). */
export const CONFIG_PAGE_URL = `/plugins/${PLUGIN_ID}`;
/** The proxy route in plugin.json: Grafana forwards it to jsonData.trackerUrl with the bearer token. */
export const TRACKER_ROUTE = 'tracker';
export const TRACKER_API_BASE = `api/plugin-proxy/${PLUGIN_ID}/${TRACKER_ROUTE}/api/v1`;

/** Route paths relative to the app root, as react-router sees them. */
export enum ROUTES {
  Issues = 'issues',
  Issue = 'issues/:id',
  Sessions = 'sessions',
  Session = 'sessions/:id',
  Feedback = 'feedback',
}

/**
 * Issues in the first request: a screenful and then some, so the first rows paint without waiting
 * for the tracker to read and send 500 issues' hourly counts.
 */
export const FIRST_PAGE_SIZE = 50;
/** Issues per later request (the tracker allows up to 1000): 10,000 issues load in 21 requests. */
export const PAGE_SIZE = 500;
export const EVENTS_PAGE_SIZE = 10;
/** User feedback per request on its page (the tracker allows up to 200). */
export const FEEDBACK_PAGE_SIZE = 50;
export const ISSUE_ROW_HEIGHT = 48;

export function prefixRoute(route: string): string {
  return `${PLUGIN_BASE_URL}/${route}`;
}

export const issueUrl = (id: number | string) => prefixRoute(`${ROUTES.Issues}/${encodeURIComponent(String(id))}`);
/**
 * A debug session's page; the id (a correlation or trace id: any text) is one encoded path segment.
 * Under Grafana's history an id without "%" round-trips (`sessionIdFrom`); one with "%" only does
 * under React Router alone (e.g. MemoryRouter). History v4 runs decodeURI over every pathname, so
 * "%" plus hex digits in an id is decoded twice, and a reload of a bare "%" throws a URIError. Such
 * ids would need a scheme that carries the id outside the path, such as a query parameter.
 */
export const sessionUrl = (id: string) => prefixRoute(`${ROUTES.Sessions}/${encodeURIComponent(id)}`);

/**
 * Why a session's API path cannot hold its id, or undefined when it can. `.` and `..` (escaped as
 * `%2E` too) are path steps the browser's URL parser removes, so their page would be the session
 * list and their API request another route. A `/`, sent escaped, reaches the tracker as a path
 * separator: Grafana's plugin proxy forwards the path unescaped (pkg/web tree.go hands the route's
 * `*` over through url.PathUnescape), so `a/export` would be asked as the export of session `a`.
 */
export function sessionIdProblem(id: string): string | undefined {
  if (id === '' || id === '.' || id === '..') {
    return 'browsers drop "." and ".." from URL paths';
  }
  if (id.includes('/')) {
    return 'Grafana\'s plugin proxy forwards its "/" unescaped, as a path separator';
  }
  return undefined;
}

/** Whether a session's page and API path can hold its id (see `sessionIdProblem`). */
export const sessionIdFitsPath = (id: string) => sessionIdProblem(id) === undefined;

/** What decodeURI leaves escaped: the reserved characters `; , / ? : @ & = + $ #`. */
const RESERVED_ESCAPE = /%(?:2[346BCF]|3[ABDF]|40)/gi;

/**
 * The session id in the pathname of a `sessionUrl` page. Not `useParams`: React Router 6 turns an
 * id's own text "%2F" into "/". Under React Router alone it gives back any id. Under Grafana's
 * history, whose decodeURI has already run, it gives back ids without "%" (decodeURI kept their
 * reserved characters escaped); an id with "%" is not guaranteed (see `sessionUrl`). When what
 * decodeURI left no longer decodes, only the reserved escapes it kept are decoded.
 */
export function sessionIdFrom(pathname: string): string {
  const segment = pathname.replace(/\/+$/, '').split('/').pop() ?? '';
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment.replace(RESERVED_ESCAPE, (escape) => decodeURIComponent(escape));
  }
}

/** Performance marks for the browser benchmark: User Timing and Element Timing names. */
export const PERF = {
  issuesMounted: 'beacon:issues-mounted',
  issuesFirstRow: 'beacon:issues-first-row',
};
