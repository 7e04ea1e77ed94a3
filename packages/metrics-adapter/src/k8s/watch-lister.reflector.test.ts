// The watch lister's recovery paths, as client-go's reflector (tools/cache/reflector.go) takes
// them, against a scripted API: a list at a resourceVersion the API server's cache has not
// reached (504 "Too large resource version") is retried at once from etcd (resourceVersion ""),
// relists are paged only when the first list was, and a watch refused with 429 is opened again
// after the backoff, without a relist (isWatchErrorRetriable).
import { waitFor } from '../testing/prometheus';
import { KubeApiError, type KubeApi, type ListMeta } from './api';
import { kubeWatchLister, type WatchLister } from './watch-lister';

/** Waits of 1 ms, no jitter. */
const fast = { initialMs: 1, capMs: 1, resetAfterMs: 60_000, factor: 2, jitter: 0 };
const pod = (name: string, rv: string) => ({
  metadata: { name, namespace: 'platform', labels: { app: 'collab' }, resourceVersion: rv },
});

type ListAnswer = { items: unknown[]; meta: ListMeta } | KubeApiError;
type WatchAnswer = 'hold' | KubeApiError | { type: string; object: unknown };

/**
 * A KubeApi answering lists and watches from scripts, in order (the last answer repeats), and
 * recording each path asked. A held watch ends when the lister stops.
 */
function scriptedApi(lists: ListAnswer[], watches: WatchAnswer[]) {
  const asked: string[] = [];
  let l = 0;
  let w = 0;
  const api: KubeApi = {
    async json() {
      throw new Error('no JSON request expected');
    },
    async list(path, onItem) {
      asked.push(path);
      const answer = lists[Math.min(l++, lists.length - 1)] as ListAnswer;
      if (answer instanceof KubeApiError) throw answer;
      answer.items.forEach(onItem);
      return answer.meta;
    },
    async watch(path, onEvent, signal) {
      asked.push(path);
      const answer = watches[Math.min(w++, watches.length - 1)] as WatchAnswer;
      if (answer instanceof KubeApiError) throw answer;
      if (answer !== 'hold') {
        onEvent(answer);
        return;
      }
      await new Promise<void>((resolve) => {
        if (signal?.aborted) resolve();
        signal?.addEventListener('abort', () => resolve());
      });
    },
    close() {},
  };
  return { api, asked };
}

let lister: WatchLister | undefined;
afterEach(() => {
  lister?.stop();
  lister = undefined;
});

const watchAt = (rv: string) =>
  `/api/v1/pods?watch=1&allowWatchBookmarks=true&resourceVersion=${rv}&timeoutSeconds=300`;

describe('the reflector’s recovery', () => {
  it('lists again from etcd at once when the relist’s resourceVersion is too large for the cache (504)', async () => {
    const { api, asked } = scriptedApi(
      [
        { items: [pod('a', '100')], meta: { resourceVersion: '100' } },
        new KubeApiError(504, 'Timeout: Too large resource version: 100, current: 90'),
        { items: [pod('a', '120'), pod('b', '120')], meta: { resourceVersion: '120' } },
      ],
      [
        {
          type: 'ERROR',
          object: { code: 500, reason: 'InternalError', message: 'etcdserver: leader changed' },
        },
        'hold',
      ],
    );
    const failures: string[] = [];
    lister = kubeWatchLister(api, (err) => failures.push((err as Error).message), {
      backoff: fast,
      random: () => 0,
    });
    expect(await lister.names('pods', 'platform', [])).toEqual(new Set(['a']));
    await waitFor(
      async () => asked.includes(watchAt('120')),
      5_000,
      () => `no watch from the list at 120; asked ${JSON.stringify(asked)}`,
    );
    expect(asked).toEqual([
      '/api/v1/pods?limit=500&resourceVersion=0',
      watchAt('100'),
      // The relist from the last resourceVersion seen, unpaged; refused, so at once from etcd.
      '/api/v1/pods?resourceVersion=100',
      '/api/v1/pods?limit=500',
      watchAt('120'),
    ]);
    // Only the watch's ERROR is a failure; the refused relist is retried without one.
    expect(failures).toHaveLength(1);
    expect(await lister.names('pods', 'platform', [])).toEqual(new Set(['a', 'b']));
  });

  // reflector.go: `if options.ResourceVersion == "0" && paginatedResult { r.paginatedResult = true }`
  // — a paged answer to a list from etcd (resourceVersion "") does not mean the watch cache is
  // off, so a later relist at a resourceVersion stays unpaged, for the cache to answer it.
  it('pages relists only when the first list (resourceVersion 0) was paged, not after a paged list from etcd', async () => {
    const expired = () => new KubeApiError(410, 'Expired: too old resource version: 100 (150)');
    const { api, asked } = scriptedApi(
      [
        { items: [pod('a', '100')], meta: { resourceVersion: '100' } },
        expired(),
        { items: [pod('a', '200')], meta: { resourceVersion: '200', continue: 'TOKEN' } },
        { items: [pod('b', '200')], meta: { resourceVersion: '200' } },
        { items: [pod('a', '210'), pod('b', '210')], meta: { resourceVersion: '210' } },
      ],
      [
        { type: 'ERROR', object: { code: 410, reason: 'Expired', message: 'too old' } },
        { type: 'ERROR', object: { code: 500, reason: 'InternalError', message: 'oops' } },
        'hold',
      ],
    );
    lister = kubeWatchLister(api, () => undefined, { backoff: fast, random: () => 0 });
    await lister.names('pods', 'platform', []);
    await waitFor(
      async () => asked.includes(watchAt('210')),
      5_000,
      () => `no watch from the list at 210; asked ${JSON.stringify(asked)}`,
    );
    expect(asked).toEqual([
      '/api/v1/pods?limit=500&resourceVersion=0',
      watchAt('100'),
      '/api/v1/pods?resourceVersion=100',
      '/api/v1/pods?limit=500',
      '/api/v1/pods?continue=TOKEN&limit=500',
      watchAt('200'),
      '/api/v1/pods?resourceVersion=200',
      watchAt('210'),
    ]);
  });

  it('opens a watch refused with 429 again after the backoff, from the same resourceVersion, without a relist', async () => {
    const { api, asked } = scriptedApi(
      [{ items: [pod('a', '100')], meta: { resourceVersion: '100' } }],
      [new KubeApiError(429, 'Too many requests, please try again later.'), 'hold'],
    );
    const retries: number[] = [];
    lister = kubeWatchLister(api, (_err, ms) => retries.push(ms), {
      backoff: fast,
      random: () => 0,
    });
    await lister.names('pods', 'platform', []);
    await waitFor(
      async () => asked.filter((p) => p.includes('watch=1')).length >= 2,
      5_000,
      () => `the watch was not opened again; asked ${JSON.stringify(asked)}`,
    );
    expect(asked.slice(0, 3)).toEqual([
      '/api/v1/pods?limit=500&resourceVersion=0',
      watchAt('100'),
      watchAt('100'),
    ]);
    expect(retries).toEqual([1]);
  });
});
