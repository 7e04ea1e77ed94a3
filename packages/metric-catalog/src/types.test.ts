// Label names are checked by the compiler: these lines must fail to type-check (tsc --noEmit
// runs them in `npm test`), and the test below compiles snippets with the TypeScript API to
// prove the same thing within jest, with the diagnostic named.
import { Registry } from 'prom-client';
import * as path from 'node:path';
import * as ts from 'typescript';
import { catalog } from './catalog';
import { createCounter, createGauge } from './factories';
import { by, histogramSelector, selector } from './promql';

const { httpRequests, httpRequestDuration, websocketConnections } = catalog.platform;

export function compileTimeChecks(): string[] {
  return [
    // @ts-expect-error "queue" is not a label of websocket_connections
    selector(websocketConnections, { queue: 'render' }),
    // @ts-expect-error "le" only exists on _bucket series
    histogramSelector(httpRequestDuration, 'count', { le: '0.5' }),
    // @ts-expect-error websocket_connections is not a histogram
    histogramSelector(websocketConnections, 'bucket'),
    // @ts-expect-error "tenant" is not a label of http_requests_total
    by(httpRequests, ['service', 'tenant']),
    String(
      // @ts-expect-error a gauge entry cannot make a counter
      createCounter(websocketConnections, new Registry()),
    ),
    String(
      // @ts-expect-error "service" is attached by Prometheus; instrumented code does not set it
      createCounter(httpRequests, new Registry()).inc({ service: 'api-gateway' }),
    ),
    String(createGauge(websocketConnections, new Registry())),
  ];
}

function diagnosticsFor(snippet: string): string[] {
  const file = path.join(__dirname, '__snippet__.ts');
  const source = `import { catalog, selector, histogramSelector, createCounter } from './index';\nimport { Registry } from 'prom-client';\nconst { httpRequests, httpRequestDuration, websocketConnections } = catalog.platform;\n${snippet}\n`;
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  host.readFile = (f) => (path.resolve(f) === file ? source : readFile(f));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (f) => path.resolve(f) === file || fileExists(f);
  const program = ts.createProgram([file], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file && path.resolve(d.file.fileName) === file)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('label names are checked at compile time', () => {
  it('accepts declared and target labels', () => {
    expect(
      diagnosticsFor(`selector(httpRequests, { service: 'api-gateway', code: '500' });`),
    ).toEqual([]);
  });

  it('rejects an undeclared label in a selector, naming it', () => {
    const errors = diagnosticsFor(`selector(websocketConnections, { queue: 'render' });`);
    expect(errors.join('\n')).toMatch(/'queue' does not exist in type/);
  });

  it('rejects le on a histogram _count series', () => {
    const errors = diagnosticsFor(`histogramSelector(httpRequestDuration, 'count', { le: '1' });`);
    expect(errors.join('\n')).toMatch(/'le' does not exist in type/);
  });

  it('rejects an undeclared label when incrementing a counter', () => {
    const errors = diagnosticsFor(
      `createCounter(httpRequests, new Registry()).inc({ tenant: 'a' });`,
    );
    expect(errors.join('\n')).toMatch(/tenant/);
  });
});
