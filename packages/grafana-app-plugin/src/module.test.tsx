import { AppPlugin } from '@grafana/data';
import { plugin } from './module';

describe('module', () => {
  test('exports the app plugin with a root page and the configuration page', () => {
    expect(plugin).toBeInstanceOf(AppPlugin);
    expect(plugin.root).toBeDefined();
    expect(plugin.configPages?.map((p) => [p.id, p.title])).toEqual([['configuration', 'Configuration']]);
  });
});
