import { EVENT_1, EVENT_2, EVENT_PY_LOG } from '../testdata/fixtures';
import { eventView } from './event';

describe('eventView', () => {
  test('shows the innermost frame first with numbered context lines around its own line', () => {
    const view = eventView(EVENT_1);
    expect(view.exceptions).toHaveLength(1);
    const [ex] = view.exceptions;
    expect([ex.type, ex.value]).toEqual(['TypeError', "Cannot read properties of undefined (reading 'id')"]);
    expect(ex.frames.map((f) => [f.filename, f.function, f.inApp])).toEqual([
      ['src/routes/users.ts', 'getUser', true],
      ['node:internal/process/task_queues', 'processTicksAndRejections', false],
    ]);
    expect(ex.frames[0].context).toEqual([
      [40, 'export async function getUser(req) {', false],
      [41, '  const user = await findUser(req.params.id);', false],
      [42, '  return user.profile.id;', true],
      [43, '}', false],
    ]);
    expect(ex.frames[1].context).toEqual([]);
  });

  test('reads tags given as pairs or as an object, sorted by key', () => {
    expect(eventView(EVENT_1).tags).toEqual([
      ['correlation_id', 'req-42'],
      ['service', 'api-gateway'],
    ]);
    expect(eventView(EVENT_2).tags).toEqual([['service', 'api-gateway']]);
  });

  test('reads breadcrumbs with epoch-second timestamps, the user and the debug session id', () => {
    const view = eventView(EVENT_1);
    expect(view.breadcrumbs[0]).toEqual({
      time: '2026-11-22T11:57:59.000Z',
      category: 'http',
      level: 'info',
      message: 'GET /users/7',
    });
    expect(view.user).toBe('ada@example.com');
    expect(view.sessionId).toBe('req-42');
  });

  test('an event without exception, breadcrumbs or correlation id still reads', () => {
    const view = eventView(EVENT_2);
    expect(view.exceptions).toEqual([]);
    expect(view.breadcrumbs).toEqual([]);
    expect(view.message).toBe('older event without a stack trace');
    expect(view.sessionId).toBeUndefined();
  });

  test('chained exceptions list the outermost first', () => {
    const view = eventView({
      ...EVENT_2,
      event: {
        exception: [
          { type: 'CauseError', value: 'db down' },
          { type: 'WrapperError', value: 'request failed' },
        ],
      },
    });
    expect(view.exceptions.map((e) => e.type)).toEqual(['WrapperError', 'CauseError']);
  });

  // The tracker groups an event with no exception by this stack (grouping.ts stackWithoutException):
  // the page said it had none while "Why grouped" listed its frames.
  describe('an event with no exception shows the stack it was grouped by', () => {
    const withEvent = (event: Record<string, unknown>) => eventView({ ...EVENT_2, event });
    const frame = (name: string) => ({ filename: `${name}.py`, function: name, lineno: 1, in_app: true });
    const stack = (...names: string[]) => ({ frames: names.map(frame) });
    const functions = (view: ReturnType<typeof eventView>) =>
      view.exceptions.map((e) => e.frames.map((f) => f.function));

    test("sentry-python's log record: the current thread's frames, read as exception frames are", () => {
      const view = eventView(EVENT_PY_LOG);
      expect(view.exceptions).toHaveLength(1);
      const [st] = view.exceptions;
      expect([st.type, st.value]).toEqual(['Stack trace', 'invoice %s not found']);
      expect(st.frames.map((f) => [f.filename, f.function, f.lineno, f.inApp])).toEqual([
        ['sentry_sdk/integrations/logging.py', 'emit', 171, false],
        ['logging/__init__.py', 'error', 1518, false],
        ['billing/invoices.py', 'charge', 17, true],
        ['worker.py', '<module>', 30, true],
      ]);
      expect(st.frames[2].context).toEqual([
        [15, '    invoice = find_invoice(invoice_id)', false],
        [16, '    if invoice is None:', false],
        [17, "        log.error('invoice %s not found', invoice_id, stack_info=True)", true],
        [18, '        return', false],
      ]);
    });

    test("the event's own stacktrace comes before any thread", () => {
      const view = withEvent({
        message: 'cache miss storm',
        stacktrace: stack('main', 'warm'),
        threads: [{ name: 'main', crashed: true, stacktrace: stack('other') }],
      });
      expect(view.exceptions.map((e) => [e.type, e.value])).toEqual([['Stack trace', 'cache miss storm']]);
      expect(functions(view)).toEqual([['warm', 'main']]);
    });

    test("of several threads, the crashed one's frames alone, titled by its name", () => {
      const view = withEvent({
        message: { formatted: 'EXC_BAD_ACCESS' },
        threads: {
          values: [
            { id: 1, name: 'main', current: true, stacktrace: stack('runLoop', 'dispatch') },
            { id: 2, name: 'com.app.decoder', crashed: true, stacktrace: stack('decode', 'readFrame') },
            { id: 3, stacktrace: stack('idle') },
          ],
        },
      });
      expect(view.exceptions.map((e) => [e.type, e.value])).toEqual([['com.app.decoder', 'EXC_BAD_ACCESS']]);
      expect(functions(view)).toEqual([['readFrame', 'decode']]);
    });

    test('a current thread, else a lone one; a chosen thread without frames shows none, as the tracker groups by none', () => {
      const current = withEvent({ threads: [{ stacktrace: stack('a') }, { current: true, stacktrace: stack('b') }] });
      expect(functions(current)).toEqual([['b']]);
      expect(current.exceptions[0].value).toBe('');
      expect(functions(withEvent({ threads: [{ stacktrace: stack('lone') }] }))).toEqual([['lone']]);
      // Neither crashed nor current of two; a crashed thread without frames (no fall back to the
      // current one); an own stacktrace without frames (no fall back to the threads).
      for (const event of [
        { threads: [{ stacktrace: stack('a') }, { stacktrace: stack('b') }] },
        { threads: [{ crashed: true }, { current: true, stacktrace: stack('b') }] },
        { stacktrace: { frames: [] }, threads: [{ current: true, stacktrace: stack('b') }] },
      ]) {
        expect(withEvent(event).exceptions).toEqual([]);
      }
    });

    test('an exception is shown, not the threads', () => {
      const view = withEvent({
        exception: [{ type: 'ValueError', value: 'bad', stacktrace: stack('parse') }],
        threads: [{ current: true, stacktrace: stack('other') }],
      });
      expect(view.exceptions.map((e) => e.type)).toEqual(['ValueError']);
      expect(functions(view)).toEqual([['parse']]);
    });
  });
});
