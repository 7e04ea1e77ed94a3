import fc from 'fast-check';
import { compareVersions, isOlderRelease } from './releases';

describe('release order', () => {
  it.each([
    ['billing@1.9.0', 'billing@1.10.0', -1],
    ['billing@2.0', 'billing@1.0', 1],
    ['1.2.3', '1.2.3+build.7', 0],
    ['v1.2', '1.2.0', 0],
    ['app@1.0.0-rc.1', 'app@1.0.0', -1],
    ['app@1.0.0-alpha', 'app@1.0.0-beta', -1],
    // SemVer's own list, §11: each before the next.
    ['app@1.0.0-alpha', 'app@1.0.0-alpha.1', -1],
    ['app@1.0.0-alpha.1', 'app@1.0.0-alpha.beta', -1],
    ['app@1.0.0-alpha.beta', 'app@1.0.0-beta', -1],
    ['app@1.0.0-beta', 'app@1.0.0-beta.2', -1],
    ['app@1.0.0-beta.2', 'app@1.0.0-beta.11', -1],
    ['app@1.0.0-beta.11', 'app@1.0.0-rc.1', -1],
    ['app@1.0.0-rc.10', 'app@1.0.0-rc.2', 1],
    ['app@1.0.0-rc.2', 'app@1.0.0-rc.2+build.5', 0],
    // Python's pre-releases, with no hyphen (PEP 440), as Sentry's release parser reads them.
    ['app@3.0.0rc2', 'app@3.0.0', -1],
    ['app@3.0.0', 'app@3.0.0rc2', 1],
    ['app@2.0b3', 'app@2.0rc1', -1],
    ['app@3.0.0rc1', 'app@3.0.0-rc1', 0],
    ['app@3.0.0rc1', 'app@2.9.9', 1],
  ])('%s against %s: %d', (a, b, sign) => {
    expect(compareVersions(a, b)).toBe(sign);
  });

  it('does not compare releases of two packages, or names that are not versions', () => {
    expect(compareVersions('web@1.0', 'api@2.0')).toBeUndefined();
    expect(compareVersions('3f2a9c1', '9b8e7d6')).toBeUndefined();
    expect(compareVersions('2026-11-01', '2026-12-01')).toBeUndefined();
    expect(compareVersions('42', '43')).toBeUndefined(); // a build number, not a version
    // A pre-release without a hyphen starts with a lower-case letter, as Sentry's parser asks.
    expect(compareVersions('app@1.0.0RC1', 'app@1.0.0')).toBeUndefined();
    expect(compareVersions('app@1.0.0.dev1', 'app@1.0.0')).toBeUndefined();
  });

  it('falls back to when each release was first seen, and to "not older" when one never was', () => {
    const seen: Record<string, number> = { '3f2a9c1': 10, '9b8e7d6': 20 };
    const firstSeen = (r: string) => seen[r];
    expect(isOlderRelease('3f2a9c1', '9b8e7d6', firstSeen)).toBe(true);
    expect(isOlderRelease('9b8e7d6', '3f2a9c1', firstSeen)).toBe(false);
    expect(isOlderRelease('c@1.0', 'c@2.0', () => undefined)).toBe(true); // by version
    expect(isOlderRelease('new-sha', '3f2a9c1', firstSeen)).toBe(false);
  });

  it('takes two releases first seen in the same millisecond as older each than the other, never one as older than itself', () => {
    // Sentry's GroupResolution.has_resolution: res_release_datetime >= release.date_added.
    const seen: Record<string, number> = { '3f2a9c1': 10, '9b8e7d6': 10 };
    const firstSeen = (r: string) => seen[r];
    expect(isOlderRelease('3f2a9c1', '9b8e7d6', firstSeen)).toBe(true);
    expect(isOlderRelease('9b8e7d6', '3f2a9c1', firstSeen)).toBe(true);
    expect(isOlderRelease('3f2a9c1', '3f2a9c1', firstSeen)).toBe(false);
    expect(isOlderRelease('c@1.0', 'c@1.0', firstSeen)).toBe(false);
  });

  it('orders versions as their numbers do, whatever they are', () => {
    const version = fc.array(fc.nat({ max: 40 }), { minLength: 2, maxLength: 4 });
    fc.assert(
      fc.property(version, version, (a, b) => {
        const padded = (v: number[]) => [...v, 0, 0, 0, 0].slice(0, 4);
        const [pa, pb] = [padded(a), padded(b)];
        const i = pa.findIndex((x, k) => x !== pb[k]);
        const expected = i < 0 ? 0 : Math.sign((pa[i] as number) - (pb[i] as number));
        expect(compareVersions(`p@${a.join('.')}`, `p@${b.join('.')}`)).toBe(expected);
      }),
      { numRuns: 5_000 },
    );
  });
});
