import React from 'react';
import fc from 'fast-check';
import { act, cleanup, renderHook } from '@testing-library/react';
import { MemoryRouter, useLocation } from 'react-router-dom';
import { GRAFANA_ROUTER_FUTURE } from '../test/render';
import { useQueryParams } from './useQueryParams';

/** The hook and the location it writes to, starting at `/page?<search>`. */
function renderAt(search: URLSearchParams) {
  const wrapper = ({ children }: { children: React.ReactNode }) => (
    <MemoryRouter initialEntries={[`/page?${search}`]} future={GRAFANA_ROUTER_FUTURE}>
      {children}
    </MemoryRouter>
  );
  return renderHook(() => ({ query: useQueryParams(), location: useLocation() }), { wrapper });
}

const key = fc.oneof(fc.constantFrom('q', 'status', 'sort', 'service'), fc.string({ maxLength: 6 }));
const value = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('&', '=', '#', '?', '%', '+', ' ', '%20'));
const query = fc.array(fc.tuple(key, value), { maxLength: 6 }).map((pairs) => new URLSearchParams(pairs));

describe('useQueryParams (property)', () => {
  afterEach(cleanup);

  test('setting a parameter leaves it with exactly that value (none when empty) and every other one as it was (300 cases)', () => {
    fc.assert(
      fc.property(query, key, fc.option(value, { nil: undefined }), (start, k, v) => {
        cleanup();
        const { result } = renderAt(start);
        expect(result.current.query[0].toString()).toBe(start.toString());
        act(() => result.current.query[1](k, v));
        const after = new URLSearchParams(result.current.location.search);
        expect(after.getAll(k)).toEqual(v ? [v] : []);
        const others = (p: URLSearchParams) => [...p].filter(([name]) => name !== k);
        expect(others(after)).toEqual(others(start));
        expect(result.current.query[0].getAll(k)).toEqual(v ? [v] : []);
        expect(result.current.location.pathname).toBe('/page');
      }),
      { numRuns: 300 }
    );
  });
});
