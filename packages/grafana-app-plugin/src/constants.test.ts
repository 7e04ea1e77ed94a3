import { sessionIdFrom, sessionUrl } from './constants';

describe('Debug session URLs', () => {
  test('a session id is one encoded path segment, whatever characters it holds', () => {
    expect(sessionUrl('checkout/req-42?x=1#top 50%')).toBe(
      '/a/beacon-observability-app/sessions/checkout%2Freq-42%3Fx%3D1%23top%2050%25'
    );
    expect(sessionUrl('GET%2Fcheckout')).toBe('/a/beacon-observability-app/sessions/GET%252Fcheckout');
  });

  test('reads back exactly the id a session URL was built from', () => {
    expect(sessionIdFrom('/a/beacon-observability-app/sessions/checkout%2Freq-42%3Fx%3D1%23top%2050%25')).toBe(
      'checkout/req-42?x=1#top 50%'
    );
    // React Router's useParams gives "GET/checkout" for this one.
    expect(sessionIdFrom('/a/beacon-observability-app/sessions/GET%252Fcheckout')).toBe('GET%2Fcheckout');
    expect(sessionIdFrom('/a/beacon-observability-app/sessions/req-42/')).toBe('req-42');
  });

  test('reads the id from a pathname Grafana has already run decodeURI over', () => {
    // decodeURI kept the reserved characters escaped and decoded the rest ("%20", "%25").
    expect(sessionIdFrom('/a/beacon-observability-app/sessions/checkout%2Freq-42%3Fx%3D1%23top 50%')).toBe(
      'checkout/req-42?x=1#top 50%'
    );
    expect(sessionIdFrom('/a/beacon-observability-app/sessions/a b%3F')).toBe('a b?');
  });
});
