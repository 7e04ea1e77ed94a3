#!/usr/bin/env node
// beacon-metrics-adapter: prometheus-adapter's flags, Beacon's server.
import { FlagError, parseFlags, usage } from './flags';
import { startAdapter } from './main';
import { PRESETS_YAML } from './provider/prometheus/presets';

async function run(argv: readonly string[]): Promise<number> {
  let flags;
  try {
    flags = parseFlags(argv);
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    process.stderr.write(`Error: ${err.message}\n\n${usage()}`);
    return 2;
  }
  if (flags.help) {
    process.stdout.write(usage());
    return 0;
  }
  if (flags.printPresets) {
    process.stdout.write(PRESETS_YAML);
    return 0;
  }
  const adapter = await startAdapter(flags);
  // As k8s.io/apiserver's signal handler: the first SIGTERM or SIGINT shuts down gracefully,
  // a second one exits at once.
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.once('SIGTERM', () => process.exit(1));
      process.once('SIGINT', () => process.exit(1));
      resolve();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await adapter.shutdown();
  return 0;
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
