// --prometheus-url read as Go's url.Parse reads it, each expected URL written by hand from Go's
// net/url and path.Join (base-url.oracle.test.ts asks Go itself about random ones).
import { apiUrl, parsePrometheusUrl, prometheusAt, PrometheusUrlError } from './base-url';

const series = (text: string) => apiUrl(parsePrometheusUrl(text), '/api/v1/series');

describe('the URL of an API path', () => {
  it.each([
    ['http://prometheus:9090', 'http://prometheus:9090/api/v1/series'],
    ['http://prometheus:9090/', 'http://prometheus:9090/api/v1/series'],
    ['HTTPS://Thanos.Example:443/api/prom/', 'https://thanos.example/api/prom/api/v1/series'],
    // path.Join cleans: "//" is one slash, "." and ".." are resolved.
    ['http://h//a///b/', 'http://h/a/b/api/v1/series'],
    ['http://h/a/./b/../c', 'http://h/a/c/api/v1/series'],
    ['http://h/../../x', 'http://h/x/api/v1/series'],
    // Go decodes the path before it joins it and escapes it again its own way.
    ['http://h/a%2Fb', 'http://h/a/b/api/v1/series'],
    ['http://h/a%2F..%2Fb', 'http://h/b/api/v1/series'],
    ['http://h/%7e!*()', 'http://h/~%21%2A%28%29/api/v1/series'],
    ['http://h/a b\\c', 'http://h/a%20b%5Cc/api/v1/series'],
    ['http://h/caf%C3%A9/x', 'http://h/caf%C3%A9/x/api/v1/series'],
    // The fragment is never sent; an empty port is the scheme's.
    ['http://h:/p#frag', 'http://h/p/api/v1/series'],
    ['http://h:00080/', 'http://h/api/v1/series'],
    ['http://[::1]:9090', 'http://[::1]:9090/api/v1/series'],
    ['http://bücher.de', 'http://xn--bcher-kva.de/api/v1/series'],
    ['http://b%C3%BCcher.de', 'http://xn--bcher-kva.de/api/v1/series'],
    ['http://a_b.example', 'http://a_b.example/api/v1/series'],
  ])('%s is asked at %s', (text, want) => {
    expect(series(text)).toBe(want);
  });

  it('keeps the base query before the call’s, and the user info Go sends as Basic credentials', () => {
    const base = parsePrometheusUrl('https://tenant:p%40ss@thanos:9090/api/prom?dedup=false');
    const url = new URL(apiUrl(base, '/api/v1/query', new URLSearchParams({ query: 'up' })));
    expect(url.pathname).toBe('/api/prom/api/v1/query');
    expect(url.search).toBe('?dedup=false&query=up');
    // node:http decodes each part (url.urlToHttpOptions) and sends "tenant:p@ss".
    expect([decodeURIComponent(url.username), decodeURIComponent(url.password)]).toEqual([
      'tenant',
      'p@ss',
    ]);
  });
});

describe('a --prometheus-url Go cannot send, or Node would send elsewhere', () => {
  it.each([
    ['ftp://h', 'want an http:// or https:// URL'],
    ['prometheus:9090', 'want an http:// or https:// URL'],
    ['//h:9090', 'want an http:// or https:// URL'],
    [' http://h', 'want an http:// or https:// URL'],
    ['http://h\n', 'a control character (U+000A) is in it'],
    ['http:h', 'no host'],
    ['http:/h', 'no host'],
    ['http:///p', 'no host'],
    ['http://:9090', 'no host'],
    ['http:\\\\h', 'no host'],
    ['http://h\\p', 'invalid character "\\\\" in host name'],
    ['http://h:x', 'invalid port ":x" after host'],
    ['http://h:1:2', 'invalid port ":1:2" after host'],
    ['http://h:65536', 'port 65536 is past 65535'],
    ['http://h/%zz', 'invalid URL escape "%zz" in the path'],
    ['http://h/#%', 'invalid URL escape "%" in the fragment'],
    ['http://h%2e/', 'invalid URL escape "%2e" in the host'],
    ['http://[::1', 'missing "]" in host'],
    ['http://[1.2.3.4]', 'invalid IP-literal "1.2.3.4"'],
    ['http://[fe80::1%25eth0]', 'the IPv6 zone in "fe80::1%25eth0" is not supported'],
    ['http://a..b', '"a..b" is not a host name'],
    ['http://1.2.3', '"1.2.3" is not a host name'],
    ['http://010.0.0.1', '"010.0.0.1" is not a host name'],
    [
      'http://0x7f.1',
      'the host "0x7f.1" is the address 127.0.0.1 to Node and a name to look up to Go',
    ],
    ['http://us er@h', 'the user info holds a character a URL cannot hold there'],
    ['http://@h', 'the user info before "@" is empty'],
    ['http://u%FF@h', 'the user info is not UTF-8 once its escapes are decoded'],
  ])('%j is refused: %s', (text, reason) => {
    expect(() => parsePrometheusUrl(text)).toThrow(PrometheusUrlError);
    expect(() => parsePrometheusUrl(text)).toThrow(reason);
  });
});

describe('prometheusAt', () => {
  it('names Prometheus by scheme, host and path, never its credentials or query', () => {
    expect(
      prometheusAt(parsePrometheusUrl('https://id:s3cret@thanos:9090/api/prom/?token=abc')),
    ).toBe('https://thanos:9090/api/prom');
    expect(prometheusAt(parsePrometheusUrl('http://prometheus.monitoring.svc:9090'))).toBe(
      'http://prometheus.monitoring.svc:9090',
    );
  });
});
