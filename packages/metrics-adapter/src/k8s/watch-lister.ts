// ObjectLister on the Kubernetes API (--lister-kubeconfig): per resource, one list and then a
// watch kept open (reopened from the last resourceVersion when it ends, relisted on 410 Gone),
// so a label selector is matched in memory against every object's current labels.
import type { KubeApi } from './api';
import { matchesLabels, type Requirement } from './label-selector';
import type { ObjectLister } from './objects';
import { kindOf, splitResource } from './resources';

interface Meta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Record<string, string>;
  readonly resourceVersion?: string;
}

interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: { metadata?: Meta; code?: number; message?: string };
}

/** `/api/v1/pods`, `/apis/apps/v1/deployments`. */
export function collectionPath(resource: string): string {
  const { group, resource: plural } = splitResource(resource);
  const version = kindOf(resource).apiVersion.split('/').pop() as string;
  return group ? `/apis/${group}/${version}/${plural}` : `/api/${version}/${plural}`;
}

class Informer {
  private readonly objects = new Map<string, Meta>();
  private resourceVersion = '';
  readonly synced: Promise<void>;
  private stopped = false;
  private readonly abort = new AbortController();

  constructor(
    private readonly api: KubeApi,
    private readonly path: string,
    private readonly onError: (err: unknown) => void,
  ) {
    this.synced = this.list();
    this.synced.then(
      () => void this.loop(),
      () => undefined,
    );
  }

  private async list(): Promise<void> {
    const body = await this.api.json<{
      metadata?: { resourceVersion?: string };
      items?: { metadata: Meta }[];
    }>('GET', this.path);
    this.objects.clear();
    for (const item of body.items ?? []) this.objects.set(key(item.metadata), item.metadata);
    this.resourceVersion = body.metadata?.resourceVersion ?? '';
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let expired = false;
      try {
        await this.api.watch(
          `${this.path}?watch=1&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(this.resourceVersion)}`,
          (e) => {
            const event = e as WatchEvent;
            if (event.type === 'ERROR') {
              expired = event.object.code === 410;
              return;
            }
            const meta = event.object.metadata;
            if (!meta) return;
            if (meta.resourceVersion) this.resourceVersion = meta.resourceVersion;
            if (event.type === 'ADDED' || event.type === 'MODIFIED')
              this.objects.set(key(meta), meta);
            else if (event.type === 'DELETED') this.objects.delete(key(meta));
          },
          this.abort.signal,
        );
        if (expired) await this.list();
      } catch (err) {
        if (this.stopped) return;
        this.onError(err);
        await new Promise((r) => setTimeout(r, 1000).unref());
        if (expired) await this.list().catch(this.onError);
      }
    }
  }

  names(namespace: string | undefined, selector: readonly Requirement[]): Set<string> {
    const out = new Set<string>();
    for (const meta of this.objects.values()) {
      if (namespace !== undefined && meta.namespace !== namespace) continue;
      if (matchesLabels(selector, meta.labels ?? {})) out.add(meta.name);
    }
    return out;
  }

  stop(): void {
    this.stopped = true;
    this.abort.abort();
  }
}

const key = (m: Meta) => `${m.namespace ?? ''}/${m.name}`;

export interface WatchLister extends ObjectLister {
  stop(): void;
}

export function kubeWatchLister(
  api: KubeApi,
  onError: (err: unknown) => void = () => undefined,
): WatchLister {
  const informers = new Map<string, Informer>();
  return {
    complete: true,
    async names(resource, namespace, selector) {
      let informer = informers.get(resource);
      if (!informer)
        informers.set(resource, (informer = new Informer(api, collectionPath(resource), onError)));
      try {
        await informer.synced;
      } catch (err) {
        informers.delete(resource); // the next request lists again
        throw err;
      }
      return informer.names(namespace, selector);
    },
    stop() {
      for (const i of informers.values()) i.stop();
      api.close();
    },
  };
}
