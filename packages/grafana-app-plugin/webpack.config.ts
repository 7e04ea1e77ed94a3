// Extends create-plugin's config (.config/ stays as the tool writes it, per its README).
import fs from 'node:fs';
import path from 'node:path';
import CopyWebpackPlugin from 'copy-webpack-plugin';
import { glob } from 'glob';
import type { Configuration } from 'webpack';
import { merge } from 'webpack-merge';
import grafanaConfig, { type Env } from './.config/webpack/webpack.config';

const SRC = path.join(__dirname, 'src');

// create-plugin copies the root plugin's logos only. A nested plugin's logos are paths relative to
// its own plugin.json, and Grafana's plugin validator refuses `../` there, so each nested panel
// carries its own copy, which is copied here to the same place under dist/.
function nestedLogoPatterns() {
  return glob
    .sync('*/*/plugin.json', { cwd: SRC })
    .sort()
    .flatMap((file) => {
      const logos = JSON.parse(fs.readFileSync(path.join(SRC, file), 'utf8')).info?.logos ?? {};
      return [...new Set<string>([logos.small, logos.large].filter(Boolean))].map((logo) => {
        const at = path.posix.join(path.posix.dirname(file), logo);
        return { from: at, to: at };
      });
    });
}

const config = async (env: Env): Promise<Configuration> =>
  merge(await grafanaConfig(env), {
    plugins: [new CopyWebpackPlugin({ patterns: nestedLogoPatterns() })],
  });

export default config;
