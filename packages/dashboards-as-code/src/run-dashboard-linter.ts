// `npm run dashboard-linter`: builds every dashboard into a scratch folder and lints the JSON
// with the real grafana/dashboard-linter. Exits 1 when it reports anything or is missing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DASHBOARDS_DIR, writeBuild } from './build';
import { runDashboardLinter } from './lint/dashboard-linter';

export function runMain(): number {
  const out = mkdtempSync(join(tmpdir(), 'beacon-dashboard-linter-'));
  try {
    writeBuild(out);
    const results = runDashboardLinter(join(out, DASHBOARDS_DIR));
    let failed = 0;
    for (const r of results) {
      const name = r.file.slice(out.length + 1);
      if (r.status === 0) process.stdout.write(`ok      ${name}\n`);
      else {
        failed++;
        process.stdout.write(`FAILED  ${name}\n${r.output}\n`);
      }
    }
    process.stdout.write(
      `dashboard-linter: ${results.length - failed} clean, ${failed} with findings\n`,
    );
    return failed > 0 ? 1 : 0;
  } catch (err) {
    process.stderr.write(`dashboard-linter: ${(err as Error).message}\n`);
    return 1;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

if (require.main === module) process.exitCode = runMain();
