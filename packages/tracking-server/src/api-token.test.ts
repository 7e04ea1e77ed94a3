// A token refused at start names where it came from and what is wrong with it, never the token:
// the deployed tracker reads it from a Secret through BEACON_TRACKER_API_TOKEN, and a Secret
// made with `kubectl create secret generic --from-file` keeps the file's last newline.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkedToken, serve } from './main';
import { silentLogger } from './telemetry/logger';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'beacon-api-token-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const start = (apiToken: string, apiTokenFrom?: string) =>
  serve({ port: 0, host: '127.0.0.1', dataDir: dir, apiToken, apiTokenFrom, logger: silentLogger });

it('names the environment variable, and a line break at the end, when a token from a file is refused', async () => {
  const token = `${'3f'.repeat(32)}\n`;
  const refused = start(token, 'BEACON_TRACKER_API_TOKEN');
  await expect(refused).rejects.toThrow(
    'BEACON_TRACKER_API_TOKEN must be printable ASCII without spaces (it is sent as a bearer token); character 65 of 65 is U+000A: it ends with a line break',
  );
  await expect(refused).rejects.not.toThrow('3f3f');
  // Refused before anything was served: the lock is released.
  expect(existsSync(join(dir, 'serve.lock'))).toBe(false);
});

it('names the first character that cannot be sent, by position and code point', () => {
  expect(() => checkedToken('two words', '--api-token')).toThrow(
    '--api-token must be printable ASCII without spaces (it is sent as a bearer token); character 4 of 9 is U+0020',
  );
  expect(() => checkedToken('ab\r\n', '--api-token')).toThrow(
    'character 3 of 4 is U+000D: it ends with a line break',
  );
  expect(() => checkedToken('a\nb', '--api-token')).toThrow(/character 2 of 3 is U\+000A$/);
  expect(() => checkedToken('tokén', '--api-token')).toThrow(/character 4 of 5 is U\+00E9$/);
  expect(checkedToken('t0k!~', '--api-token')).toBe('t0k!~');
});
