// Starting a worker thread from a module of this package, whether it runs built or from source.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * A worker running the module `name` in `dir`: the compiled JavaScript there (dist/), or — when
 * running from the TypeScript sources (jest) — the .ts file loaded through @swc/core, which the
 * repository's test setup already has.
 */
export function startWorkerScript(
  dir: string,
  name: string,
  options: Pick<WorkerOptions, 'workerData'> = {},
): Worker {
  const js = join(dir, `${name}.js`);
  if (existsSync(js)) return new Worker(js, options);
  const ts = join(dir, `${name}.ts`);
  const boot = `
    const fs = require('node:fs');
    const swc = require(require.resolve('@swc/core', { paths: [${JSON.stringify(dir)}] }));
    require.extensions['.ts'] = (module, filename) => {
      const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
        filename, module: { type: 'commonjs' }, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      });
      module._compile(code, filename);
    };
    require(${JSON.stringify(ts)});
  `;
  return new Worker(boot, { ...options, eval: true });
}
