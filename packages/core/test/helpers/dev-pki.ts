/**
 * Test helper: loads identities of the DEV ONLY PKI committed in certs-dev/ (see its README).
 * Validity is 2025-01-01 .. 2045-01-01: pass fixed `now` values inside it (e.g. DEV_PKI_NOW).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createSigner,
  importPrivateKey,
  type PrivateKey,
  type Signer,
} from '@govtrust/core/crypto';
import {
  createTrustStore,
  parseCertificates,
  parseCrl,
  type Certificate,
  type Crl,
  type TrustStore,
} from '@govtrust/core/pki';

/** The folder with the committed dev PKI. */
export const DEV_PKI_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../certs-dev',
);

/** Key algorithms of the dev PKI (folder names). */
export type DevAlgorithm = 'rsa' | 'p256' | 'sm2';

/** Identities of the dev PKI (file names). */
export type DevIdentityName =
  | 'root'
  | 'intermediate'
  | 'seal-maker'
  | 'org-a'
  | 'org-b'
  | 'licence-issuer'
  | 'tsa'
  | 'ocsp'
  | 'revoked';

/** A fixed instant inside every dev certificate's validity (and after `revoked` was revoked). */
export const DEV_PKI_NOW = new Date('2026-06-01T08:00:00Z');

/** One loaded identity. */
export interface DevIdentity {
  readonly certificate: Certificate;
  /** DER: the certificate, then its issuers up to and including the root. */
  readonly certificateChain: readonly Uint8Array[];
  readonly chain: readonly Certificate[];
  readonly privateKey: PrivateKey;
  /** A software signer with the whole chain. */
  readonly signer: Signer;
  /** Paths of the files, for third-party tools. */
  readonly paths: { readonly cert: string; readonly key: string; readonly chain: string };
}

const cache = new Map<string, DevIdentity>();

/** Loads `certs-dev/{alg}/{name}.*` as certificate, chain, private key and signer. */
export function loadDevIdentity(alg: DevAlgorithm, name: DevIdentityName): DevIdentity {
  const key = `${alg}/${name}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const base = join(DEV_PKI_DIR, alg, name);
  const paths = { cert: `${base}.pem`, key: `${base}.key`, chain: `${base}.chain.pem` };
  const chain = parseCertificates(readFileSync(paths.chain, 'utf8'));
  const privateKey = importPrivateKey(readFileSync(paths.key, 'utf8'));
  const certificateChain = chain.map((c) => c.der);
  const identity: DevIdentity = {
    certificate: chain[0]!,
    certificateChain,
    chain,
    privateKey,
    signer: createSigner(privateKey, { certificateChain }),
    paths,
  };
  cache.set(key, identity);
  return identity;
}

/** A trust store holding the dev root of `alg` (or of every algorithm). */
export function devTrustStore(alg?: DevAlgorithm): TrustStore {
  const algs: DevAlgorithm[] = alg === undefined ? ['rsa', 'p256', 'sm2'] : [alg];
  return createTrustStore(algs.map((a) => readFileSync(join(DEV_PKI_DIR, a, 'root.pem'), 'utf8')));
}

/** The dev CRL of a CA (`root` or `intermediate`); the intermediate's lists `revoked`. */
export function loadDevCrl(alg: DevAlgorithm, ca: 'root' | 'intermediate'): Crl {
  return parseCrl(new Uint8Array(readFileSync(join(DEV_PKI_DIR, alg, `${ca}.crl`))));
}

/** Path of a dev PKI file, e.g. `devPkiPath('sm2', 'root.pem')`. */
export function devPkiPath(alg: DevAlgorithm, file: string): string {
  return join(DEV_PKI_DIR, alg, file);
}
