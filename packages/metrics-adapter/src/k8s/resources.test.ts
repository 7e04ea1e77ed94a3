import { kindOf } from './resources';

describe('kindOf', () => {
  it.each([
    ['pods', { kind: 'Pod', apiVersion: 'v1' }],
    ['deployments.apps', { kind: 'Deployment', apiVersion: 'apps/v1' }],
    ['widgets.example.com', { kind: 'Widget', apiVersion: 'example.com/v1' }],
    // Names of Object.prototype's members are resources like any other unlisted one.
    ['constructor', { kind: 'Constructor', apiVersion: 'v1' }],
    ['__proto__', { kind: '__proto__', apiVersion: 'v1' }],
  ])('gives %s the kind and apiVersion a RESTMapper would', (resource, expected) => {
    expect(kindOf(resource)).toEqual(expected);
  });
});
