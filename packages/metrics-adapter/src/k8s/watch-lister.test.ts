// The watch lister as client-go's reflector runs an informer: lists in pages of metadata only,
// backs off from failing watches, and finds a custom resource's kind, scope and version by
// discovery — against the fake API server (testdata/kube shapes).
import { startFakeKubeApi, type FakeApiServer } from '../testing/fake-apiserver';
import type { Pki } from '../testing/pki';
import { waitFor } from '../testing/prometheus';
import { createKubeApi, KubeApiError, ListSplitter } from './api';
import { parseLabelSelector } from './label-selector';
import { isRootScoped, kindOf } from './resources';
import {
  ExponentialBackoff,
  kubeWatchLister,
  REFLECTOR_BACKOFF,
  type WatchLister,
  type WatchListerOptions,
} from './watch-lister';

let pki: Pki;
let fake: FakeApiServer;
let caCert: string;
let lister: WatchLister | undefined;

beforeAll(async () => {
  ({ fake, caCert, pki } = await startFakeKubeApi());
});

afterEach(async () => {
  lister?.stop();
  lister = undefined;
  // The server sees a stopped lister's watch close a moment later; until it has, the next test's
  // wait for "a watch open" would be met by that one, and its events sent to it.
  await waitFor(
    async () => fake.openWatches() === 0,
    5_000,
    () => `${fake.openWatches()} watches of a stopped lister still open`,
  );
  fake.watchMode = 'hold';
  fake.expireContinue = false;
  fake.argoVersion = 'v1alpha1';
});

afterAll(async () => {
  await fake?.close();
  pki?.remove();
});

/** A lister on its own connection (stop() closes it), its failures and retry delays recorded. */
function start(options: WatchListerOptions = {}) {
  const failures: { message: string; retryInMs: number }[] = [];
  const api = createKubeApi({
    server: fake.url,
    ca: caCert,
    token: 'adapter-sa-token',
    insecureSkipTlsVerify: false,
  });
  lister = kubeWatchLister(
    api,
    (err, retryInMs) => failures.push({ message: (err as Error).message, retryInMs }),
    options,
  );
  return { lister, failures };
}

const since = (at: number) => fake.received.filter((r) => r.at >= at);
const all = parseLabelSelector('');
const collab = parseLabelSelector('app=collab');
/** Waits of 20, 40, 80, … ms, no jitter: each is known in advance. */
const fast = { initialMs: 20, capMs: 1000, resetAfterMs: 60_000, factor: 2, jitter: 0 };

describe('paged, metadata-only lists', () => {
  it('asks for metadata only, in pages chained by continue, and finds the pods of every page', async () => {
    const t = Date.now();
    const { lister } = start({ pageSize: 3 });
    expect([...(await lister.names('pods', 'platform', all))].sort()).toEqual([
      'collab-7d9f8b6c5d-q8w2m',
      'collab-7d9f8b6c5d-x2x4z',
      'video-processing-0',
    ]);
    // The fourth pod comes on the second page.
    expect(await lister.names('pods', 'staging', collab)).toEqual(new Set(['collab-staging-0']));
    const lists = since(t).filter((r) => !r.path.includes('watch='));
    expect(lists.map((r) => r.path.replace(/continue=[^&]+/, 'continue=TOKEN'))).toEqual([
      '/api/v1/pods?limit=3&resourceVersion=0',
      '/api/v1/pods?continue=TOKEN&limit=3',
    ]);
    expect(lists.map((r) => r.accept)).toEqual([
      'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json',
      'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json',
    ]);
    await waitFor(
      async () => since(t).some((r) => r.path.includes('watch=1')),
      5_000,
      () => 'no watch opened',
    );
    expect(since(t).find((r) => r.path.includes('watch=1'))?.accept).toBe(
      'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json',
    );
  });

  it('lists whole at the first page’s resourceVersion when a continue token has expired (410), as client-go’s pager falls back', async () => {
    fake.expireContinue = true;
    const t = Date.now();
    const { lister } = start({ pageSize: 3 });
    expect(await lister.names('pods', 'staging', all)).toEqual(new Set(['collab-staging-0']));
    expect((await lister.names('pods', 'platform', all)).size).toBe(3);
    const lists = since(t)
      .map((r) => r.path)
      .filter((p) => !p.includes('watch='));
    expect(lists.map((p) => p.replace(/continue=[^&]+/, 'continue=TOKEN'))).toEqual([
      '/api/v1/pods?limit=3&resourceVersion=0',
      '/api/v1/pods?continue=TOKEN&limit=3',
      // pager.go: Limit and Continue cleared, ResourceVersion back to the one first asked for.
      '/api/v1/pods?resourceVersion=0',
    ]);
  });
});

describe('selecting from the cache', () => {
  // testdata/kube/podlist-metadata.json: in platform two collab pods with tier=realtime and
  // video-processing-0 with no tier label; in staging collab-staging-0 with no tier label. As
  // Requirement.Matches: != and notin pick a pod without the label.
  it.each<[string, string | undefined, string[]]>([
    ['tier notin (realtime)', 'platform', ['video-processing-0']],
    ['tier!=realtime', 'platform', ['video-processing-0']],
    ['!tier', 'platform', ['video-processing-0']],
    ['tier', 'platform', ['collab-7d9f8b6c5d-q8w2m', 'collab-7d9f8b6c5d-x2x4z']],
    ['tier=', 'platform', []],
    ['statefulset.kubernetes.io/pod-name=video-processing-0', 'platform', ['video-processing-0']],
    ['!tier', undefined, ['collab-staging-0', 'video-processing-0']],
  ])('%s in %p picks %j', async (selector, namespace, names) => {
    const { lister } = start();
    const picked = await lister.names('pods', namespace, parseLabelSelector(selector));
    expect([...picked].sort()).toEqual(names);
  });
});

describe('failing watches', () => {
  it('retries a watch that sends an ERROR event after growing delays, reporting each failure', async () => {
    fake.watchMode = 'error';
    const t = Date.now();
    const { lister, failures } = start({ backoff: fast });
    await lister.names('pods', 'platform', collab);
    await waitFor(
      async () => failures.length >= 4,
      5_000,
      () => `${failures.length} failures reported`,
    );
    expect(failures.slice(0, 4).map((f) => f.retryInMs)).toEqual([20, 40, 80, 160]);
    expect(failures[0]?.message).toContain(
      '500 InternalError: Internal error occurred: etcdserver: request timed out',
    );
    // Each failure relists (a ListAndWatch), then watches again, no sooner than its delay.
    const watches = since(t).filter((r) => r.path.includes('watch=1'));
    const gaps = watches.slice(1, 4).map((w, i) => w.at - watches[i]!.at);
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual([20, 40, 80][i]!));
  });

  it('takes a watch that closes at once with nothing sent as a failure ("very short watch")', async () => {
    fake.watchMode = 'close';
    const t = Date.now();
    const { lister, failures } = start({ backoff: fast });
    await lister.names('pods', 'platform', collab);
    await waitFor(
      async () => failures.length >= 3,
      5_000,
      () => `${failures.length} failures reported`,
    );
    expect(failures.slice(0, 3).map((f) => f.retryInMs)).toEqual([20, 40, 80]);
    expect(failures[0]?.message).toBe(
      'very short watch: /api/v1/pods: watch lasted less than a second and no items received',
    );
    // Over 300 ms: the watches of waits 20, 40, 80 (and 160), not hundreds.
    await new Promise((r) => setTimeout(r, 300));
    expect(since(t).filter((r) => r.path.includes('watch=1')).length).toBeLessThanOrEqual(6);
  });
});

describe('watches cut off', () => {
  it('watches again from the last event, without a relist or a failure, when the connection drops mid-watch', async () => {
    const t = Date.now();
    const { lister, failures } = start({ backoff: fast });
    await lister.names('pods', 'platform', collab);
    await waitFor(
      async () => fake.openWatches() > 0,
      5_000,
      () => 'no watch opened',
    );
    fake.push({
      type: 'ADDED',
      object: {
        kind: 'PartialObjectMetadata',
        apiVersion: 'meta.k8s.io/v1',
        metadata: {
          name: 'collab-new',
          namespace: 'platform',
          labels: { app: 'collab' },
          resourceVersion: '48300',
        },
      },
    });
    await waitFor(
      async () => (await lister.names('pods', 'platform', collab)).has('collab-new'),
      5_000,
      () => 'the watch event did not arrive',
    );
    const cut = Date.now();
    fake.resetWatches();
    await waitFor(
      async () => since(t).some((r) => /watch=1.*resourceVersion=48300&/.test(r.path)),
      5_000,
      () => 'the watch was not opened again from the last event',
    );
    // As apimachinery's StreamWatcher: a stream cut off is the watch's end, not an error: no list
    // since the cut. (Counted from it: on a loaded machine a list the test before wrote just as
    // its lister stopped reached the server after this test began, failing a count of all lists.)
    expect(since(cut).filter((r) => !r.path.includes('watch=')).length).toBe(0);
    expect(failures).toEqual([]);
    expect(await lister.names('pods', 'platform', collab)).toContain('collab-new');
  });
});

describe('a first list that fails', () => {
  it('answers its failure until the backoff’s wait is over, and only then lists again', async () => {
    let clock = 1_000_000;
    const backoff = { initialMs: 1000, capMs: 8000, resetAfterMs: 60_000, factor: 2, jitter: 0 };
    const t = Date.now();
    const lists = () => since(t).filter((r) => !r.path.includes('watch=')).length;
    const { lister, failures } = start({ backoff, now: () => clock });
    const refused = 'GET /api/v1/pods?limit=500&resourceVersion=0: 401';
    fake.adapterToken = 'another-token'; // the adapter's is refused: every list a 401
    try {
      for (let i = 0; i < 3; i++)
        await expect(lister.names('pods', 'platform', collab)).rejects.toThrow(refused);
      expect(lists()).toBe(1);
      clock += 999;
      await expect(lister.names('pods', 'platform', collab)).rejects.toThrow(refused);
      expect(lists()).toBe(1);
      clock += 1; // the first wait (1 s) is over: one list, which fails, and a wait of 2 s
      await expect(lister.names('pods', 'platform', collab)).rejects.toThrow(refused);
      await expect(lister.names('pods', 'platform', collab)).rejects.toThrow(refused);
      expect(lists()).toBe(2);
      expect(failures.map((f) => f.retryInMs)).toEqual([1000, 2000]);
      expect(failures[0]?.message).toContain(refused);
    } finally {
      fake.adapterToken = 'adapter-sa-token';
    }
    clock += 2000;
    expect(await lister.names('pods', 'platform', collab)).toEqual(
      new Set(['collab-7d9f8b6c5d-q8w2m', 'collab-7d9f8b6c5d-x2x4z']),
    );
    expect(lists()).toBe(3);
  });
});

describe('watches gone silent', () => {
  const bookmark = (resourceVersion: string) => ({
    type: 'BOOKMARK',
    object: {
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { resourceVersion },
    },
  });
  const watchesSince = (t: number) => since(t).filter((r) => r.path.includes('watch=1'));

  it('takes a watch that sends nothing, not even a bookmark, for its idle time for dead, and watches again from its last bookmark without a relist', async () => {
    const t = Date.now();
    // An idle time of 1.5 s, not 0.5: the bookmark below goes to the watch open when it is sent,
    // and on a loaded machine that ran nothing of this process for 0.5 s the first watch was
    // taken for dead before it (the bookmark then reached no watch, and none opened from it).
    const { lister, failures } = start({ backoff: fast, watchIdleSeconds: 1.5, random: () => 0 });
    await lister.names('pods', 'platform', collab);
    await waitFor(
      async () => fake.openWatches() > 0,
      5_000,
      () => 'no watch opened',
    );
    fake.push(bookmark('48400'));
    // The fake holds the watch open and sends nothing more, as a host gone without a FIN.
    await waitFor(
      async () => watchesSince(t).some((r) => /resourceVersion=48400&/.test(r.path)),
      5_000,
      () => 'the silent watch was not opened again from its bookmark',
    );
    expect(failures[0]).toEqual({
      message:
        'watch /api/v1/pods?watch=1&allowWatchBookmarks=true&resourceVersion=48213&timeoutSeconds=300: nothing received for 1.5 s, not even a bookmark: the connection is taken for dead',
      retryInMs: 20,
    });
    expect(since(t).filter((r) => !r.path.includes('watch=')).length).toBe(1);
  });

  it('keeps a watch that sends bookmarks more often than its idle time', async () => {
    const t = Date.now();
    const { lister, failures } = start({ backoff: fast, watchIdleSeconds: 1.5 });
    await lister.names('pods', 'platform', collab);
    await waitFor(
      async () => fake.openWatches() > 0,
      5_000,
      () => 'no watch opened',
    );
    // 2 s of bookmarks 100 ms apart: past the idle time in all, each well within it. (Not 200 ms
    // apart under 0.5 s: a loaded machine that ran nothing of this process for 300 ms fired the
    // idle timer before the bookmark that was due had been read.)
    for (let i = 0; i < 20; i++) {
      fake.push(bookmark(String(48301 + i)));
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(failures).toEqual([]);
    expect(watchesSince(t)).toHaveLength(1);
  });
});

describe('reflector backoff', () => {
  it('doubles from 800 ms to 30 s, adds up to as much again at random, and starts over after 2 min', () => {
    let now = 0;
    const backoff = new ExponentialBackoff(
      REFLECTOR_BACKOFF,
      () => now,
      () => 0.5,
    );
    const waits = Array.from({ length: 8 }, () => {
      now += 1000;
      return backoff.next();
    });
    expect(waits).toEqual([1200, 2400, 4800, 9600, 19200, 38400, 45000, 45000]);
    now += 120_001;
    expect(backoff.next()).toBe(1200);
  });
});

describe('custom resources', () => {
  const checkout = parseLabelSelector('app=checkout');

  it('lists a custom resource at the version its group prefers, found by discovery once', async () => {
    const t = Date.now();
    const { lister } = start();
    expect(await lister.names('rollouts.argoproj.io', 'platform', checkout)).toEqual(
      new Set(['checkout']),
    );
    expect((await lister.discover?.('rollouts.argoproj.io'))?.version).toBe('v1alpha1');
    // Built-in resources keep the table's kind, scope and version: no discovery.
    expect(await lister.discover?.('deployments.apps')).toBeUndefined();
    const paths = since(t)
      .map((r) => r.path)
      .filter((p) => !p.includes('watch='));
    expect(paths).toEqual([
      '/apis/argoproj.io',
      '/apis/argoproj.io/v1alpha1',
      '/apis/argoproj.io/v1alpha1/rollouts?limit=500&resourceVersion=0',
    ]);
  });

  it('takes a kind in CamelCase from discovery: scaledobjects.keda.sh are ScaledObjects', async () => {
    const t = Date.now();
    const { lister } = start();
    const scaledObjects = await lister.discover?.('scaledobjects.keda.sh');
    expect(scaledObjects && kindOf(scaledObjects)).toEqual({
      kind: 'ScaledObject', // the plural alone gives `Scaledobject`
      apiVersion: 'keda.sh/v1alpha1',
    });
    expect(scaledObjects).toMatchObject({ singular: 'scaledobject', namespaced: true });
    // Asked once per group: another resource of it needs no request.
    expect((await lister.discover?.('scaledjobs.keda.sh'))?.kind).toBe('ScaledJob');
    // A singular names the resource too, as a RESTMapper matches it; a subresource is none.
    expect((await lister.discover?.('scaledobject.keda.sh'))?.key).toBe('scaledobjects.keda.sh');
    expect(await lister.discover?.('scaledobjects/status.keda.sh')).toBeUndefined();
    expect(since(t).map((r) => r.path)).toEqual(['/apis/keda.sh', '/apis/keda.sh/v1alpha1']);
  });

  it('finds a resource whose plural is irregular by its singular: prometheus is prometheuses', async () => {
    const { lister } = start();
    expect(await lister.discover?.('prometheus.monitoring.coreos.com')).toEqual({
      group: 'monitoring.coreos.com',
      version: 'v1',
      kind: 'Prometheus',
      resource: 'prometheuses',
      singular: 'prometheus',
      namespaced: true,
      key: 'prometheuses.monitoring.coreos.com',
    });
    const serviceMonitors = await lister.discover?.('servicemonitor.monitoring.coreos.com');
    expect(serviceMonitors?.key).toBe('servicemonitors.monitoring.coreos.com');
    // The scale subresource (kind Scale, group autoscaling) is not a resource of its own.
    expect(await lister.discover?.('prometheuses/scale.monitoring.coreos.com')).toBeUndefined();
  });

  it('takes the scope from discovery: a cluster-scoped custom resource is root-scoped', async () => {
    const { lister } = start();
    const clusterIssuers = await lister.discover?.('clusterissuers.cert-manager.io');
    expect(clusterIssuers).toMatchObject({ kind: 'ClusterIssuer', namespaced: false });
    expect(clusterIssuers && isRootScoped(clusterIssuers)).toBe(true);
    expect(clusterIssuers && kindOf(clusterIssuers).apiVersion).toBe('cert-manager.io/v1');
    const keda = await lister.discover?.('clustertriggerauthentications.keda.sh');
    expect(keda?.namespaced).toBe(false);
    expect((await lister.discover?.('issuers.cert-manager.io'))?.namespaced).toBe(true);
  });

  it('asks again for a resource discovery did not know, as after its CRD is installed', async () => {
    const { lister } = start();
    expect(await lister.discover?.('widgets.keda.sh')).toBeUndefined();
    const before = fake.received.length; // not by time: the last answer may share its millisecond
    expect(await lister.discover?.('widgets.keda.sh')).toBeUndefined();
    expect(fake.received.slice(before).map((r) => r.path)).toEqual([
      '/apis/keda.sh',
      '/apis/keda.sh/v1alpha1',
    ]);
    // A group the API server does not serve: nothing to say, asked again next time too.
    expect(await lister.discover?.('widgets.example.com')).toBeUndefined();
  });

  it('tells its caller which resource discovery could not resolve, and why', async () => {
    const told: [string, string][] = [];
    const { lister } = start({
      onDiscoveryError: (resource, err) => told.push([resource, (err as Error).message]),
    });
    expect(await lister.discover?.('widgets.keda.sh')).toBeUndefined();
    expect(await lister.discover?.('scaledobjects.keda.sh')).toBeDefined();
    expect(told).toEqual([
      ['widgets.keda.sh', 'the server doesn\'t have a resource type "widgets" in group "keda.sh"'],
    ]);
  });

  it('asks discovery again after a 404, as when the CRD moved to another version', async () => {
    fake.argoVersion = 'v1beta1'; // preferred, but not served in this fake: a 404
    const { lister } = start();
    await expect(lister.names('rollouts.argoproj.io', 'platform', checkout)).rejects.toThrow(
      KubeApiError,
    );
    fake.argoVersion = 'v1alpha1';
    const before = fake.received.length; // not by time: the 404 may share its millisecond
    expect(await lister.names('rollouts.argoproj.io', 'platform', checkout)).toEqual(
      new Set(['checkout']),
    );
    const paths = fake.received.slice(before).map((r) => r.path);
    expect(paths.slice(0, 2)).toEqual(['/apis/argoproj.io', '/apis/argoproj.io/v1alpha1']);
    expect((await lister.discover?.('rollouts.argoproj.io'))?.version).toBe('v1alpha1');
  });
});

describe('list splitter', () => {
  const body = JSON.stringify({
    kind: 'PartialObjectMetadataList',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: '7', continue: 'abc' },
    items: [
      { metadata: { name: 'a', annotations: { x: 'has ] and } and "quoted" \\ text' } } },
      { metadata: { name: 'b', labels: { items: '[' } } },
    ],
  });

  it.each([1, 2, 7, 64, body.length])(
    'hands over each item and the list metadata, in chunks of %i characters',
    (size) => {
      const items: unknown[] = [];
      const splitter = new ListSplitter((item) => items.push(item));
      for (let i = 0; i < body.length; i += size) splitter.write(body.slice(i, i + size));
      expect(splitter.end()).toEqual({ resourceVersion: '7', continue: 'abc' });
      expect(items).toEqual(JSON.parse(body).items);
    },
  );

  it('takes an empty list whose items are null', () => {
    const splitter = new ListSplitter(() => {
      throw new Error('no item expected');
    });
    splitter.write(
      '{"kind":"PartialObjectMetadataList","metadata":{"resourceVersion":"9"},"items":null}',
    );
    expect(splitter.end()).toEqual({ resourceVersion: '9' });
  });

  it('refuses a body cut short', () => {
    const splitter = new ListSplitter(() => undefined);
    splitter.write(body.slice(0, body.length - 10));
    expect(() => splitter.end()).toThrow();
  });
});
