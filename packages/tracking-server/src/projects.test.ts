import { ConfigError, parseConfig } from './projects';

describe('config.json', () => {
  const key = 'a'.repeat(32);

  it('fills project settings from the defaults', () => {
    const c = parseConfig(
      JSON.stringify({
        projects: [
          { id: 1, name: 'web', key, eventsPerMinute: 600, scrub: { extraKeys: ['ssn'] } },
        ],
      }),
      'config.json',
    );
    expect(c.projects[0]).toEqual({
      id: 1,
      name: 'web',
      key,
      eventsPerMinute: 600,
      retentionDays: 30,
      scrub: { enabled: true, extraKeys: ['ssn'], safeKeys: [] },
    });
  });

  it.each([
    [
      { projects: [{ id: 1, name: 'w', key, colour: 'red' }] },
      'config.json: projects[0]: unknown key "colour"',
    ],
    [
      { projects: [{ id: 1, name: 'w', key: 'short' }] },
      'config.json: projects[0].key: must be 32 lower-case hex digits',
    ],
    [{ projects: [{ id: 0, name: 'w', key }] }, 'projects[0].id: must be a positive integer'],
    [
      { projects: [{ id: 1, name: 'w', key, scrub: { enabled: 'yes' } }] },
      'projects[0].scrub.enabled: must be true or false',
    ],
    [
      { projects: [{ id: 1, name: 'w', key, eventsPerMinute: -1 }] },
      'projects[0].eventsPerMinute: must be a non-negative number',
    ],
    [
      {
        projects: [
          { id: 1, name: 'a', key },
          { id: 1, name: 'b', key },
        ],
      },
      'project id 1 is given twice',
    ],
    [{ project: [] }, 'unknown key "project"'],
  ])('rejects %j naming the file and key', (doc, message) => {
    expect(() => parseConfig(JSON.stringify(doc), 'config.json')).toThrow(ConfigError);
    expect(() => parseConfig(JSON.stringify(doc), 'config.json')).toThrow(message);
  });
});
