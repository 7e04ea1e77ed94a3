// A Kubernetes API client for tests of the review caches: every review posted is answered with
// one recorded body; lists and watches are not used.
import type { KubeApi } from '../k8s/api';

export const answeringReviews = (answer: unknown): KubeApi => ({
  json: async <T>() => answer as T,
  list: () => Promise.reject(new Error('not used')),
  watch: () => Promise.reject(new Error('not used')),
  close: () => undefined,
});
