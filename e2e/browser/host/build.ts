// Bundles host.tsx with esbuild: one IIFE with React, @grafana/* and the rest of Grafana's
// shared dependencies. @grafana/ui pulls monaco-editor's CSS, hence the file loaders.
import { build } from 'esbuild';
import { join } from 'node:path';
import { browserDir } from '../paths';

export async function buildHost(outdir: string): Promise<void> {
  await build({
    entryPoints: [join(browserDir, 'host', 'host.tsx')],
    outdir,
    bundle: true,
    minify: true,
    format: 'iife',
    jsx: 'automatic',
    logLevel: 'error',
    define: { 'process.env.NODE_ENV': '"production"' },
    loader: {
      '.ttf': 'file',
      '.eot': 'file',
      '.gif': 'file',
      '.woff': 'file',
      '.woff2': 'file',
      '.svg': 'file',
    },
  });
}
