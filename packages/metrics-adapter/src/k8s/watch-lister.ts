// ObjectLister on the Kubernetes API (--lister-kubeconfig): per resource, one list and then a
// watch kept open, as client-go's reflector keeps an informer: the list in pages of metadata
// only, the watch reopened from the last resourceVersion when it ends, and any failure (an ERROR
// event, a watch that closes at once, a list that fails) retried after an exponential backoff,
// with a relist. A label selector is matched in memory against every object's current labels.
import { KubeApiError, WatchIdleError, type KubeApi, type ListMeta } from './api';
import { matchesLabels, type Requirement } from './label-selector';
import type { ObjectLister } from './objects';
import { ResourceDiscovery } from './resource-discovery';
import { kindOf, splitResource } from './resources';

/**
 * Objects' metadata only (meta.k8s.io/v1 PartialObjectMetadata): what matching needs, without
 * spec and status. Plain JSON is the fallback of a server that cannot convert (an aggregated API).
 */
export const METADATA_LIST_ACCEPT =
  'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
export const METADATA_WATCH_ACCEPT =
  'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';

/** client-go's pager.PageSize. */
export const PAGE_SIZE = 500;

/** An object's metadata as the API sends it (managedFields and all). */
interface Meta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Record<string, string>;
  readonly resourceVersion?: string;
}

/** All a label selector is matched against: an object is kept as this, not as its metadata. */
interface Entry {
  readonly name: string;
  readonly namespace: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
}

interface Status {
  code?: number;
  reason?: string;
  message?: string;
}

interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: { metadata?: Meta } & Status;
}

/** The reflector's backoff (wait.NewExponentialBackoffManager(800ms, 30s, 2min, 2.0, 1.0)). */
export interface BackoffOptions {
  readonly initialMs: number;
  readonly capMs: number;
  /** A failure this long after the last backoff began starts again from `initialMs`. */
  readonly resetAfterMs: number;
  readonly factor: number;
  /** Each wait is its step plus up to `jitter` times the step, at random. */
  readonly jitter: number;
}

export const REFLECTOR_BACKOFF: BackoffOptions = {
  initialMs: 800,
  capMs: 30_000,
  resetAfterMs: 120_000,
  factor: 2,
  jitter: 1,
};

/** apimachinery's exponentialBackoffManagerImpl: waits of [0.8, 1.6) s, [1.6, 3.2) s, … [30, 60) s. */
export class ExponentialBackoff {
  private stepMs: number;
  private lastStart = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly o: BackoffOptions = REFLECTOR_BACKOFF,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {
    this.stepMs = o.initialMs;
  }

  /** How long to wait before the next try. */
  next(): number {
    if (this.now() - this.lastStart > this.o.resetAfterMs) this.stepMs = this.o.initialMs;
    this.lastStart = this.now();
    const wait = this.stepMs + this.random() * this.o.jitter * this.stepMs;
    this.stepMs = Math.min(this.stepMs * this.o.factor, this.o.capMs);
    return wait;
  }
}

export interface WatchListerOptions {
  readonly backoff?: BackoffOptions;
  /** Each watch asks the server to end it after [min, 2·min) s, as client-go's (5 min). */
  readonly minWatchTimeoutSeconds?: number;
  /**
   * A watch that receives nothing for this long is taken for dead and opened again from the last
   * resourceVersion (150 s): kube-apiserver sends a watch that allows bookmarks one each minute
   * (the watch cache's defaultBookmarkFrequency), so a live one is never this quiet. Where none
   * come (the watch cache off), a quiet watch is reopened this often, which costs one request.
   */
  readonly watchIdleSeconds?: number;
  readonly pageSize?: number;
  readonly now?: () => number;
  readonly random?: () => number;
  /**
   * A custom resource discovery could not say anything of (its group or resource is not served,
   * or the API server did not answer): the caller keeps a guess, or what it found before.
   */
  readonly onDiscoveryError?: (resource: string, err: unknown) => void;
}

/** Where a resource's collection is, found again after a 404 (its CRD now serves another version). */
interface Location {
  path(): Promise<string>;
  notFound(): void;
}

/** `/api/v1/pods`, `/apis/apps/v1/deployments`; `version` is the table's (or the guess) unless given. */
export function collectionPath(resource: string, version?: string): string {
  const { group, resource: plural } = splitResource(resource);
  const v = version ?? (kindOf(resource).apiVersion.split('/').pop() as string);
  return group ? `/apis/${group}/${v}/${plural}` : `/api/${v}/${plural}`;
}

const key = (m: { namespace?: string; name: string }) => `${m.namespace ?? ''}/${m.name}`;
const entryOf = (m: Meta): Entry => ({
  name: m.name,
  namespace: m.namespace,
  labels: m.labels ?? {},
});
const statusOf = (err: unknown) => (err instanceof KubeApiError ? err.status : undefined);
/** 410 Gone: the resourceVersion (or a continue token) is older than etcd keeps. */
const isExpired = (err: unknown) => statusOf(err) === 410;
/** A list at a resourceVersion this API server's cache has not reached yet (HA control planes). */
const isTooLargeResourceVersion = (err: unknown) =>
  statusOf(err) === 504 && /too large resource version/i.test((err as Error).message);
/** client-go's isWatchErrorRetriable: the watch is opened again, without a relist. */
const isWatchRetriable = (err: unknown) =>
  statusOf(err) === 429 ||
  (err as { cause?: { code?: string } })?.cause?.code === 'ECONNREFUSED' ||
  err instanceof WatchIdleError;

function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== '' && v !== 0) q.set(k, String(v));
  const text = q.toString();
  return text ? `?${text}` : '';
}

class Informer {
  private objects = new Map<string, Entry>();
  private path = '';
  private lastSyncResourceVersion = '';
  private resourceVersionUnavailable = false;
  /** The server paged the first list: its watch cache is off, so every list is paged. */
  private paginated = false;
  private readonly backoff: ExponentialBackoff;
  private readonly now: () => number;
  readonly synced: Promise<void>;
  private stopped = false;
  private readonly abort = new AbortController();

  constructor(
    private readonly api: KubeApi,
    private readonly location: Location,
    private readonly o: WatchListerOptions,
    private readonly onError: (err: unknown, retryInMs: number) => void,
  ) {
    this.now = o.now ?? Date.now;
    this.backoff = new ExponentialBackoff(o.backoff, this.now, o.random);
    this.synced = this.list();
    this.synced.then(
      () => void this.run(),
      () => undefined,
    );
  }

  /**
   * wait.BackoffUntil(ListAndWatch): watch until a failure, then wait the backoff and list and
   * watch again (the first list is `synced`, which a request awaits).
   */
  private async run(): Promise<void> {
    let listed = true;
    while (!this.stopped) {
      try {
        if (!listed) await this.list();
        await this.watchUntilFailure();
      } catch (err) {
        if (this.stopped) return;
        if (statusOf(err) === 404) this.location.notFound();
        await this.wait(err);
      }
      listed = false;
    }
  }

  /** Reports a failure with the wait before the next try, and waits it (less if stopped). */
  private async wait(err: unknown): Promise<void> {
    const ms = this.backoff.next();
    this.onError(err, Math.round(ms));
    const signal = this.abort.signal;
    if (signal.aborted) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      signal.addEventListener('abort', done);
    });
  }

  /** Reflector.list: from the last synced resourceVersion ("0" at first, the watch cache). */
  private async list(): Promise<void> {
    this.path = await this.location.path();
    const from = this.relistResourceVersion();
    let listed: { objects: Map<string, Entry>; meta: ListMeta; paginated: boolean };
    try {
      listed = await this.listPages(from);
    } catch (err) {
      if (!isExpired(err) && !isTooLargeResourceVersion(err)) throw err;
      this.resourceVersionUnavailable = true; // list again at once, from etcd
      listed = await this.listPages(this.relistResourceVersion());
    }
    if (from === '0' && listed.paginated) this.paginated = true;
    this.resourceVersionUnavailable = false;
    this.objects = listed.objects;
    this.lastSyncResourceVersion = listed.meta.resourceVersion ?? '';
  }

  private relistResourceVersion(): string {
    if (this.resourceVersionUnavailable) return '';
    return this.lastSyncResourceVersion || '0';
  }

  /**
   * client-go's pager: pages of `limit` objects chained by `continue` (which carries the
   * list's resourceVersion, so later pages send none); a continue token that expired (410)
   * falls back to one whole list at the resourceVersion first asked for (pager.go: `0` or the
   * last one synced stays a read the watch cache can answer, not a quorum read from etcd). A
   * list at a given resourceVersion is not paged unless the server paged the first one:
   * unpaged, the watch cache can answer it instead of etcd.
   */
  private async listPages(resourceVersion: string) {
    const objects = new Map<string, Entry>();
    const keep = (item: unknown) => {
      const meta = (item as { metadata?: Meta }).metadata;
      if (meta) objects.set(key(meta), entryOf(meta));
    };
    const paged = resourceVersion === '' || resourceVersion === '0' || this.paginated;
    const limit = paged ? (this.o.pageSize ?? PAGE_SIZE) : undefined;
    let page = query({ limit, resourceVersion });
    let paginated = false;
    for (;;) {
      let meta: ListMeta;
      try {
        meta = await this.api.list(this.path + page, keep, METADATA_LIST_ACCEPT);
      } catch (err) {
        if (!isExpired(err) || !paginated) throw err;
        objects.clear();
        meta = await this.api.list(
          this.path + query({ resourceVersion }),
          keep,
          METADATA_LIST_ACCEPT,
        );
        return { objects, meta, paginated };
      }
      if (!meta.continue) return { objects, meta, paginated };
      paginated = true;
      page = query({ continue: meta.continue, limit });
    }
  }

  /**
   * Reflector.watch: reopens a watch that ends normally (its timeoutSeconds) from the last
   * resourceVersion; throws on an ERROR event, a watch that ends within a second having sent
   * nothing, or a failure that is not a refused connection, a 429 or a watch gone silent (those
   * back off and watch again, without a relist).
   */
  private async watchUntilFailure(): Promise<void> {
    while (!this.stopped) {
      const start = this.now();
      let events = 0;
      try {
        await this.api.watch(
          this.path + this.watchQuery(),
          (e) => {
            this.apply(e as WatchEvent);
            events++;
          },
          this.abort.signal,
          METADATA_WATCH_ACCEPT,
          (this.o.watchIdleSeconds ?? 150) * 1000,
        );
      } catch (err) {
        if (this.stopped) return;
        if (!isWatchRetriable(err)) throw err;
        await this.wait(err);
        continue;
      }
      if (!this.stopped && events === 0 && this.now() - start < 1000)
        throw new Error(
          `very short watch: ${this.path}: watch lasted less than a second and no items received`,
        );
    }
  }

  private watchQuery(): string {
    const min = this.o.minWatchTimeoutSeconds ?? 300;
    const random = this.o.random ?? Math.random;
    return query({
      watch: 1,
      allowWatchBookmarks: 'true',
      resourceVersion: this.lastSyncResourceVersion,
      // Spreads reconnections, and ends a watch that hangs without an event.
      timeoutSeconds: Math.floor(min * (1 + random())),
    });
  }

  private apply(event: WatchEvent): void {
    if (event.type === 'ERROR') {
      const { code = 0, reason = '', message = '' } = event.object;
      throw new KubeApiError(code, `watch ${this.path}: ${code} ${reason}: ${message}`);
    }
    const meta = event.object.metadata;
    if (!meta) return;
    if (event.type === 'ADDED' || event.type === 'MODIFIED')
      this.objects.set(key(meta), entryOf(meta));
    else if (event.type === 'DELETED') this.objects.delete(key(meta));
    if (meta.resourceVersion) this.lastSyncResourceVersion = meta.resourceVersion;
  }

  names(namespace: string | undefined, selector: readonly Requirement[]): Set<string> {
    const out = new Set<string>();
    for (const entry of this.objects.values()) {
      if (namespace !== undefined && entry.namespace !== namespace) continue;
      if (matchesLabels(selector, entry.labels)) out.add(entry.name);
    }
    return out;
  }

  stop(): void {
    this.stopped = true;
    this.abort.abort();
  }
}

export interface WatchLister extends ObjectLister {
  stop(): void;
}

export function kubeWatchLister(
  api: KubeApi,
  onError: (err: unknown, retryInMs: number) => void = () => undefined,
  options: WatchListerOptions = {},
): WatchLister {
  const informers = new Map<string, Informer>();
  /**
   * A resource whose first list failed: its requests get that failure until the backoff's wait
   * is over, and only then list again, as an informer waits between tries. Without it every
   * request listed again at once: each HPA's every 15 s, a whole pod list each, at an API server
   * already failing.
   */
  const failedFirstLists = new Map<
    string,
    { readonly err: unknown; readonly until: number; readonly backoff: ExponentialBackoff }
  >();
  const now = options.now ?? Date.now;
  const discovery = new ResourceDiscovery(api);
  const location = (resource: string): Location => ({
    // A custom resource where discovery says it is: its plural and the version it is served at.
    path: async () => {
      const found = await discovery.lookup(resource);
      return found ? collectionPath(found.key, found.version) : collectionPath(resource);
    },
    notFound: () => discovery.forget(resource),
  });
  return {
    complete: true,
    async names(resource, namespace, selector) {
      let informer = informers.get(resource);
      if (!informer) {
        const failed = failedFirstLists.get(resource);
        if (failed && now() < failed.until) throw failed.err;
        informer = new Informer(api, location(resource), options, onError);
        informers.set(resource, informer);
      }
      try {
        await informer.synced;
      } catch (err) {
        // Once, for every request that shared this list: the first after the wait lists again.
        // A 404 is asked again at once, with discovery (the CRD moved or was just installed).
        if (informers.get(resource) === informer && statusOf(err) !== 404) {
          const backoff =
            failedFirstLists.get(resource)?.backoff ??
            new ExponentialBackoff(options.backoff, now, options.random);
          const wait = backoff.next();
          failedFirstLists.set(resource, { err, until: now() + wait, backoff });
          onError(err, Math.round(wait));
        }
        if (informers.get(resource) === informer) informers.delete(resource);
        if (statusOf(err) === 404) discovery.forget(resource);
        throw err;
      }
      failedFirstLists.delete(resource);
      return informer.names(namespace, selector);
    },
    async discover(resource) {
      // Undefined when discovery failed: this answer keeps the guess, the next asks again.
      return discovery.lookup(resource)?.catch((err: unknown) => {
        options.onDiscoveryError?.(resource, err);
        return undefined;
      });
    },
    stop() {
      for (const i of informers.values()) i.stop();
      api.close();
    },
  };
}
