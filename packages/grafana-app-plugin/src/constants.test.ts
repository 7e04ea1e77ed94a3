import { sessionIdFrom, sessionUrl } from './constants';

describe('Debug session URLs', () => {
  test('a session URL holds the id as one encoded path segment, whatever characters it holds', () => {
    expect(sessionUrl('checkout/req-42?x=1#top 50%')).toBe(
      '/a/beacon-observability-app/sessions/checkout%2Freq-42%3Fx%3D1%23top%2050%25'
    );
    expect(sessionUrl('GET%2Fcheckout')).toBe('/a/beacon-observability-app/sessions/GET%252Fcheckout');
  });

  test("reads back exactly the id from a session URL's pathname as React Router alone keeps it (MemoryRouter)", () => {
    expect(sessionIdFrom('/a/beacon-observability-app/sessions/checkout%2Freq-42%3Fx%3D1%23top%2050%25')).toBe(
      'checkout/req-42?x=1#top 50%'
    );
    // React Router's useParams gives "GET/checkout" for this one.
    expect(sessionIdFrom('/a/beacon-observability-app/sessions/GET%252Fcheckout')).toBe('GET%2Fcheckout');
    expect(sessionIdFrom('/a/beacon-observability-app/sessions/req-42/')).toBe('req-42');
  });

  test("reads back an id without % from the pathname Grafana's history has run decodeURI over", () => {
    // decodeURI kept the reserved characters escaped and decoded the rest ("%20").
    expect(sessionIdFrom('/a/beacon-observability-app/sessions/checkout%2Freq-42%3Fx%3D1%23top 50')).toBe(
      'checkout/req-42?x=1#top 50'
    );
    expect(sessionIdFrom('/a/beacon-observability-app/sessions/a b%3F')).toBe('a b?');
  });

  test("in a pathname Grafana's history has run decodeURI over, a % that no longer decodes is kept and the reserved escapes are decoded", () => {
    // "top 50%" was "top%2050%25"; decodeURI made the "%25" a bare "%". Only a "%" not followed by two
    // hex digits reads back this way: ids with "%" are not guaranteed under Grafana's history.
    expect(sessionIdFrom('/a/beacon-observability-app/sessions/checkout%2Freq-42%3Fx%3D1%23top 50%')).toBe(
      'checkout/req-42?x=1#top 50%'
    );
  });
});
