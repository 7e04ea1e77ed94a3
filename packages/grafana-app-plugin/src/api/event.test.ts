import { EVENT_1, EVENT_2 } from '../testdata/fixtures';
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
});
