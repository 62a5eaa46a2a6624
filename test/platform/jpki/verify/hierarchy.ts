import { createTrustStore } from '../../../../platform/src/jpki/verify/index.js';
import { buildLeaf, buildRoot, rsaKey, type LeafSpec, type Purpose } from './pki-builder.js';

/**
 * A small JPKI-TEST hierarchy built in-process: two generations (A, B) per purpose sharing one DN,
 * like the real ones, with fixed dates so nothing ever expires. `AT` is the "now" of the tests.
 */
export const AT = new Date('2025-06-01T00:00:00Z');
export const GEN_A = { notBefore: new Date('2019-09-14T23:41:56Z'), notAfter: new Date('2029-09-14T14:59:59Z') };
export const GEN_B = { notBefore: new Date('2023-07-16T00:50:27Z'), notAfter: new Date('2033-07-15T14:59:59Z') };
export const LEAF_WINDOW = { notBefore: new Date('2023-05-19T01:00:00Z'), notAfter: new Date('2027-12-07T14:59:59Z') };

export function buildHierarchy() {
  const roots = {
    signA: buildRoot({ purpose: 'sign', key: rsaKey('sign-A'), serial: 0x0132c4ab, ...GEN_A }),
    signB: buildRoot({ purpose: 'sign', key: rsaKey('sign-B'), serial: 0x067c6a21, ...GEN_B }),
    authA: buildRoot({ purpose: 'auth', key: rsaKey('auth-A'), serial: 0x0133c349, ...GEN_A }),
    authB: buildRoot({ purpose: 'auth', key: rsaKey('auth-B'), serial: 0x06d18006, ...GEN_B }),
  };
  const issuerKey = (purpose: Purpose, gen: 'A' | 'B') => rsaKey(`${purpose}-${gen}`);

  /** A leaf of `purpose` from generation `gen`, with overrides. */
  const leaf = (purpose: Purpose, gen: 'A' | 'B', over: Partial<LeafSpec> = {}) =>
    buildLeaf({ purpose, key: rsaKey(`leaf-${purpose}`), issuerKey: issuerKey(purpose, gen), serial: 0x018c453e, ...LEAF_WINDOW, ...over });

  const store = createTrustStore('dev', [
    { certificate: roots.signA, generation: 'signA' },
    { certificate: roots.signB, generation: 'signB' },
    { certificate: roots.authA, generation: 'authA' },
    { certificate: roots.authB, generation: 'authB' },
  ]);
  return {
    roots,
    store,
    leaf,
    issuerKey,
    signLeaf: leaf('sign', 'A'),
    authLeaf: leaf('auth', 'A'),
    signKey: rsaKey('leaf-sign'),
    authKey: rsaKey('leaf-auth'),
  };
}
