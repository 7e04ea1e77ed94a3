import fs from 'fs';
import path from 'path';
import Ajv from 'ajv';
import { glob } from 'glob';

const SCHEMA = path.resolve(__dirname, '../../../../shared/contracts/grafana/plugin.schema.json');
const SRC = __dirname;

function loadSchema() {
  if (!fs.existsSync(SCHEMA)) {
    throw new Error(`Grafana's plugin.json schema is missing: expected it at ${SCHEMA}`);
  }
  return JSON.parse(fs.readFileSync(SCHEMA, 'utf8'));
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

describe('plugin.json files', () => {
  // Grafana's schema uses `\-` inside a pattern, which only compiles without the `u` flag.
  // The email and uri formats only describe author fields we do not use; accept them unchecked.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false, formats: { email: true, uri: true } });
  const validate = ajv.compile(loadSchema());
  const files = glob.sync('**/plugin.json', { cwd: SRC, absolute: true }).sort();

  test('the app and both nested panels have a plugin.json', () => {
    expect(files.map((f) => path.relative(SRC, f))).toEqual([
      'panels/issues-panel/plugin.json',
      'panels/session-panel/plugin.json',
      'plugin.json',
    ]);
  });

  test.each(files.map((f) => [path.relative(SRC, f), f]))(
    "%s is valid against Grafana's plugin schema",
    (_name, file) => {
      const ok = validate(readJson(file));
      expect(ajv.errorsText(validate.errors, { separator: '\n' })).toBe('No errors');
      expect(ok).toBe(true);
    }
  );

  test('the app is beacon-observability-app with the tracker proxy route injecting the bearer token', () => {
    const app = readJson(path.join(SRC, 'plugin.json'));
    expect(app.type).toBe('app');
    expect(app.id).toBe('beacon-observability-app');
    expect(app.routes.length).toBeGreaterThan(0);
    for (const route of app.routes) {
      expect(route.path).toBe('tracker/*');
      expect(route.url).toBe('{{ .JsonData.trackerUrl }}');
      expect(route.headers).toEqual([{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.apiToken }}' }]);
    }
    expect(app.routes.map((r: { method: string }) => r.method).sort()).toEqual(['GET', 'PATCH', 'POST']);
  });

  // Grafana's plugin validator finds a nested plugin by the include whose `path` is its plugin.json
  // (plugin-validator: includesnested, "nested-plugins-not-declared"); a name alone is not enough.
  test('the app includes its pages, and each nested panel by the path of its plugin.json', () => {
    const app = readJson(path.join(SRC, 'plugin.json'));
    const pages = app.includes.filter((i: { type: string }) => i.type === 'page').map((i: { path: string }) => i.path);
    expect(pages).toEqual([
      '/a/%PLUGIN_ID%/issues',
      '/a/%PLUGIN_ID%/sessions',
      '/a/%PLUGIN_ID%/feedback',
      '/plugins/%PLUGIN_ID%',
    ]);
    const panels = app.includes.filter((i: { type: string }) => i.type === 'panel');
    const issues = readJson(path.join(SRC, 'panels/issues-panel/plugin.json'));
    const session = readJson(path.join(SRC, 'panels/session-panel/plugin.json'));
    expect([issues.id, session.id]).toEqual(['beacon-issues-panel', 'beacon-session-panel']);
    expect(panels).toEqual([
      { type: 'panel', name: issues.name, path: 'panels/issues-panel/plugin.json' },
      { type: 'panel', name: session.name, path: 'panels/session-panel/plugin.json' },
    ]);
    expect([issues.type, session.type]).toEqual(['panel', 'panel']);
  });

  // The validator resolves a plugin's logos and screenshots from its own plugin.json's folder and
  // refuses a path that starts with "." or "/" (metadatapaths); Grafana serves them from dist/.
  test.each(files.map((f) => [path.relative(SRC, f)]))(
    '%s names logos and screenshots inside its own folder, and the build puts them there',
    (name) => {
      const info = readJson(path.join(SRC, name)).info;
      const images: string[] = [
        info.logos.small,
        info.logos.large,
        ...(info.screenshots ?? []).map((s: { path: string }) => s.path),
      ];
      for (const image of images) {
        expect(image).toMatch(/^[a-z][\w./-]*\.(svg|png)$/);
        expect(image).not.toContain('..');
        expect(fs.existsSync(path.join(SRC, '../dist', path.dirname(name), image))).toBe(true);
      }
    }
  );

  // Grafana checks each nested plugin on its own: a child inherits the app's "unsigned" status and
  // is then loaded only if its own id is allowed (pkg/plugins/manager/signature: Validation
  // .ValidateSignature, then UnsignedPluginAuthorizer.CanLoadPlugin(p) matches p.ID against
  // allow_loading_unsigned_plugins), so the README's allow list must name all three ids.
  test("the README's allow list for the unsigned plugin names the app and both nested panels", () => {
    const readme = fs.readFileSync(path.resolve(SRC, '../README.md'), 'utf8');
    const allowed = /GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS=([\w,-]+)/.exec(readme)?.[1].split(',');
    expect(allowed?.sort()).toEqual(files.map((f) => readJson(f).id).sort());
  });

  test('a plugin.json that breaks the schema is caught (the check is not vacuous)', () => {
    expect(validate({ type: 'app', id: 'x', name: 'x' })).toBe(false);
  });
});

describe('provisioning', () => {
  const root = path.resolve(SRC, '..');

  test('enables the app with trackerUrl in jsonData and apiToken only in secureJsonData', () => {
    const apps = fs.readFileSync(path.join(root, 'provisioning/plugins/apps.yaml'), 'utf8');
    expect(apps).toContain("type: 'beacon-observability-app'");
    expect(apps).toMatch(/jsonData:\n\s+#.*\n\s+trackerUrl: /);
    expect(apps).toMatch(/secureJsonData:\n\s+#.*\n\s+apiToken: /);
  });

  // Grafana's provisioning values (pkg/services/provisioning/values/values.go interpolateValue):
  // split on "$$", then setting.ExpandVar (pkg/setting/expanders.go: `${body}` and `$__env{body}`
  // become os.Getenv(body), the whole body), then Go's os.ExpandEnv. Neither knows the shell's
  // `${NAME:-default}`: it reads a variable named "NAME:-default", which is always empty.
  function grafanaInterpolate(value: string, env: Record<string, string>): string {
    const getenv = (name: string) => env[name] ?? '';
    return value
      .split('$$')
      .map((part) =>
        part
          .replace(/\$(|__env)\{([^}]+)\}/g, (_m, _kind, body: string) => getenv(body))
          .replace(/\$\{([^}]*)\}|\$([A-Za-z0-9_]+)/g, (_m, braced?: string, bare?: string) =>
            getenv(braced ?? bare ?? '')
          )
      )
      .join('$');
  }

  test('Grafana provisions trackerUrl and apiToken from BEACON_TRACKER_URL and BEACON_TRACKER_API_TOKEN', () => {
    const apps = fs.readFileSync(path.join(root, 'provisioning/plugins/apps.yaml'), 'utf8');
    const raw = (key: string) => apps.match(new RegExp(`^\\s+${key}: (.*)$`, 'm'))?.[1] ?? '';
    const env = { BEACON_TRACKER_URL: 'http://tracker.example:9300', BEACON_TRACKER_API_TOKEN: 's3cret' };
    expect(grafanaInterpolate(raw('trackerUrl'), env)).toBe('http://tracker.example:9300');
    expect(grafanaInterpolate(raw('apiToken'), env)).toBe('s3cret');
  });

  test("npm run server's Grafana container gets both variables, with defaults", () => {
    const compose = fs.readFileSync(path.join(root, 'docker-compose.yaml'), 'utf8');
    expect(compose).toContain('BEACON_TRACKER_URL: ${BEACON_TRACKER_URL:-http://host.docker.internal:9300}');
    expect(compose).toContain('BEACON_TRACKER_API_TOKEN: ${BEACON_TRACKER_API_TOKEN:-change-me}');
  });

  test("the example dashboard is valid against Grafana's dashboard schema, which a broken copy is not", () => {
    const file = path.resolve(__dirname, '../../../../shared/contracts/grafana/dashboard.schema.json');
    if (!fs.existsSync(file)) {
      throw new Error(`Grafana's dashboard schema is missing: expected it at ${file}`);
    }
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    const validate = ajv.compile(readJson(file));
    const dashboard = readJson(path.join(root, 'provisioning/dashboards/beacon-errors.json'));
    validate(dashboard);
    expect(ajv.errorsText(validate.errors, { separator: '\n' })).toBe('No errors');
    expect(
      validate({ ...dashboard, templating: { list: [{ ...dashboard.templating.list[1], type: 'dropdown' }] } })
    ).toBe(false);
  });

  test('the example dashboard uses both nested panels with dashboard variables', () => {
    const dashboard = readJson(path.join(root, 'provisioning/dashboards/beacon-errors.json'));
    expect(dashboard.panels.map((p: { type: string; options: unknown }) => [p.type, p.options])).toEqual([
      ['beacon-issues-panel', { project: '$project', service: '$service', status: 'open', sort: 'events', limit: 10 }],
      ['beacon-session-panel', { correlationId: '$correlation_id' }],
    ]);
    expect(dashboard.templating.list.map((v: { name: string }) => v.name)).toEqual([
      'service',
      'project',
      'correlation_id',
    ]);
  });
});
