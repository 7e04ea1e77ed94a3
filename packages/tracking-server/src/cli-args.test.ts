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
