// What the TokenReview cache keeps of a token: k8s.io/apiserver's cached token authenticator keys
// its cache by an HMAC-SHA256 of the token ("lowers the memory requirement of the cache and keeps
// tokens out of memory", token/cache/cached_token_authenticator.go keyFunc). Anyone who can reach
// the port can send a bearer token of up to a megabyte (the header limit), and a rejected one is
// cached too.
import type { IncomingMessage } from 'node:http';
import { heapUsedAfterGc } from '../testing/heap';
import { answeringReviews } from '../testing/review-api';
import { tokenReviewAuthenticator } from './delegated';

/** An API server whose TokenReviews reject every token, as kube-apiserver does a made-up one. */
const rejecting = answeringReviews({
  kind: 'TokenReview',
  apiVersion: 'authentication.k8s.io/v1',
  status: { authenticated: false, error: 'invalid bearer token' },
});

const withToken = (token: string) =>
  ({ headers: { authorization: `Bearer ${token}` } }) as unknown as IncomingMessage;

const heapUsed = heapUsedAfterGc;

it('keeps no rejected token in memory: 40 distinct 1 MB tokens leave under 8 MB behind', async () => {
  const authenticate = tokenReviewAuthenticator(rejecting);
  const before = heapUsed();
  for (let i = 0; i < 40; i++) {
    const token = `${i}.${'x'.repeat(1_000_000)}`;
    await expect(authenticate(withToken(token))).rejects.toThrow('invalid bearer token');
  }
  const grown = heapUsed() - before;
  expect(grown).toBeLessThan(8_000_000);
});
