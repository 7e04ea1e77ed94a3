// Test support: the adapter started with a Prometheus that is not there (nothing listens on
// 127.0.0.1:1), serving anonymous requests on a free loopback port with the self-signed
// certificate it writes to a --cert-dir of its own. For tests of the server itself: health,
// connection limits, what it does before a first series discovery.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFlags } from '../flags';
import { startAdapter, type AdapterOverrides, type RunningAdapter } from '../main';
import { memoryLogger } from '../telemetry/logger';

export interface OfflineAdapter {
  readonly adapter: RunningAdapter;
  readonly logger: ReturnType<typeof memoryLogger>;
  /** The self-signed certificate, to trust in requests (`httpsGet(url, { ca })`). */
  readonly ca: string;
  close(): Promise<void>;
}

export async function startOfflineAdapter(
  extraFlags: readonly string[] = [],
  overrides: AdapterOverrides = {},
): Promise<OfflineAdapter> {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-offline-adapter-'));
  const logger = memoryLogger();
  let adapter: RunningAdapter;
  try {
    adapter = await startAdapter(
      parseFlags([
        '--prometheus-url=http://127.0.0.1:1',
        '--secure-port=0',
        '--bind-address=127.0.0.1',
        `--cert-dir=${dir}`,
        '--insecure-serve-anonymous',
        ...extraFlags,
      ]),
      { logger, inCluster: null, env: {}, ...overrides },
    );
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    adapter,
    logger,
    ca: readFileSync(join(dir, 'apiserver.crt'), 'utf8'),
    async close() {
      await adapter.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
