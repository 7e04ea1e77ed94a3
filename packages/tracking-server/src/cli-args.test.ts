// The command line's refusals, written out by hand (the generated cases are in
// cli-args.property.test.ts).
import { parseCommand, UsageError } from './cli-args';

const refusal = (argv: string[]) => {
  try {
    parseCommand(argv);
  } catch (err) {
    if (err instanceof UsageError) return err.message;
    throw err;
  }
  throw new Error(`${JSON.stringify(argv)} was read as a command`);
};

it('says project add needs a name, rather than calling it an unknown command', () => {
  expect(refusal(['project', 'add'])).toBe('project add needs a project name');
  expect(refusal(['project', 'add', '--data-dir', 'd'])).toBe('project add needs a project name');
});

it('names the extra words when project add is given more than one name', () => {
  expect(refusal(['project', 'add', 'checkout', 'web'])).toBe(
    'project add takes one project name, got 2: checkout web',
  );
  expect(refusal(['project', 'add', 'a', 'b c'])).toBe(
    'project add takes one project name, got 2: a "b c"',
  );
});

it('still calls a command it does not know unknown', () => {
  expect(refusal(['project'])).toBe('unknown command: project');
  expect(refusal(['project', 'remove', 'x'])).toBe('unknown command: project remove x');
  expect(refusal(['serve', 'now'])).toBe('unknown command: serve now');
});

it.each([
  ['0.0.0.0:9300', 'a port is --port'],
  ['[::1]', 'IPv6 without brackets, as Node listens on it'],
  ['', 'empty'],
  ['tracker host', 'a space'],
  ['-tracker.example', 'a label starting with a hyphen'],
  ['999.1.1.1', 'no IPv4 address, nor a host name (a label of digits only ends the name)'],
])('refuses --host %j (%s), naming it', (value) => {
  expect(refusal(['serve', `--host=${value}`])).toBe(
    `--host must be an IP address or a host name, got ${JSON.stringify(value)}`,
  );
});

it('listens on the --host given, the unspecified 0.0.0.0 without one', () => {
  const host = (argv: string[]) => (parseCommand(['serve', ...argv]) as { host: string }).host;
  expect([host([]), host(['--host', '127.0.0.1']), host(['--host', '::1'])]).toEqual([
    '0.0.0.0',
    '127.0.0.1',
    '::1',
  ]);
  expect(refusal(['project', 'add', 'x', '--host', '127.0.0.1'])).toBe(
    '--host is a serve option, not one of project add',
  );
});
