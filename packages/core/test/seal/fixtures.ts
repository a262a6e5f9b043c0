/** Seal test fixtures: the ofdrw real-world files and the DEV ONLY seal PKI (test/fixtures/seal). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createSigner,
  decodeCertificateChain,
  importPrivateKey,
  type Signer,
} from '@govtrust/core/crypto';

const root = join(import.meta.dirname, '..', 'fixtures');

/** Bytes of a file under test/fixtures/ofdrw. */
export function ofdrw(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(root, 'ofdrw', name)));
}

/** Bytes of a file under test/fixtures/seal. */
export function sealFixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(root, 'seal', name)));
}

/** Path of a file under test/fixtures/seal. */
export function sealFixturePath(name: string): string {
  return join(root, 'seal', name);
}

/** The DER certificate of a DEV PKI entity (ca, maker, holder, other, ecmaker). */
export function cert(name: string): Uint8Array {
  return decodeCertificateChain(readFileSync(join(root, 'seal', `${name}.cert.pem`), 'utf8'))[0]!;
}

/** A signer over a DEV PKI entity's key and certificate. */
export function signer(name: string): Signer {
  const key = importPrivateKey(readFileSync(join(root, 'seal', `${name}.key.pem`), 'utf8'));
  return createSigner(key, { certificateChain: [cert(name)] });
}

/** The signing times of the real files (TBS_Sign.timeInfo). */
export const SIGNED_999 = new Date('2020-08-17T11:13:29Z');
export const SIGNED_ZSBK = new Date('2020-10-10T06:58:41Z');
/** A validation time after every certificate of the real files expired. */
export const LATER = new Date('2026-06-01T00:00:00Z');
