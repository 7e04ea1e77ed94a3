import { sentryClient } from './python-json';

describe('the client a request names', () => {
  const none = new URLSearchParams();

  it('is read from Authorization: Sentry … when X-Sentry-Auth holds another scheme, as Relay reads it', () => {
    // request_meta.rs (get_auth_header) takes each header only when it starts with "sentry ".
    expect(
      sentryClient(
        {
          'x-sentry-auth': 'Bearer proxy-token',
          authorization: 'Sentry sentry_key=k, sentry_client=raven-python/6.10.0',
        },
        none,
      ),
    ).toBe('raven-python/6.10.0');
  });

  it('is read from Authorization when X-Sentry-Auth is in the Sentry form but names no client', () => {
    expect(
      sentryClient(
        {
          'x-sentry-auth': 'Sentry sentry_key=k, sentry_version=7',
          authorization: 'Sentry sentry_client=raven-python/6.10.0',
        },
        none,
      ),
    ).toBe('raven-python/6.10.0');
  });

  it('is taken from X-Sentry-Auth first when both headers name one', () => {
    expect(
      sentryClient(
        {
          'x-sentry-auth': 'Sentry sentry_key=k, sentry_client=sentry.java/7.0.0',
          authorization: 'Sentry sentry_client=raven-python/6.10.0',
        },
        none,
      ),
    ).toBe('sentry.java/7.0.0');
  });
});
