/**
 * Key material for every algorithm GovTrust signs with: generation, PEM/DER import and export
 * (PKCS#8, encrypted PKCS#8, SPKI, SEC 1, PKCS#1), SM2 keys in the forms OpenSSL writes, and the
 * public key of a certificate.
 * @module
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { inspect } from 'node:util';
import { KeyDecryptError, KeyParseError, KeyUnsupportedError } from '../errors/index.js';
import { bytesToBigInt, equalBytes } from '../internal/bytes.js';
import {
  DerError,
  Tag,
  decodeOid,
  decodeUnsignedInteger,
  encodeBitString,
  encodeOid,
  encodeSequence,
  readChildren,
  readSingle,
  readTlv,
  type Tlv,
} from '../internal/der.js';
import { decodePemBlocks, encodePem, looksLikePem, pemText } from '../internal/pem.js';
import { oids } from './oids.js';
import { decodeSm2Point, sm2PublicPoint, type Sm2Point } from './sm2.js';

/** Key families. `sm2` keys live on the GB/T 32918.5 curve and only sign with SM2-with-SM3. */
export type KeyType = 'rsa' | 'rsa-pss' | 'ec' | 'ed25519' | 'sm2';

/** Named curves of `ec` keys (SM2 keys are their own type). */
export type NamedCurve = 'P-256' | 'P-384';

/** The key-generation choices of `generateKeyPair` and `govtrust key gen --alg`. */
export type KeyGenAlgorithm =
  'rsa2048' | 'rsa3072' | 'rsa4096' | 'p256' | 'p384' | 'ed25519' | 'sm2';

/** Every `KeyGenAlgorithm`, for CLIs and validation. */
export const keyGenAlgorithms: readonly KeyGenAlgorithm[] = [
  'rsa2048',
  'rsa3072',
  'rsa4096',
  'p256',
  'p384',
  'ed25519',
  'sm2',
];

const sm2Scalars = new WeakMap<PrivateKey, bigint>();

/** @internal The SM2 private scalar of a key (core-internal; never exported from the package). */
export function sm2ScalarOf(key: PrivateKey): bigint {
  const d = sm2Scalars.get(key);
  if (d === undefined) throw new KeyUnsupportedError('Not an SM2 private key');
  return d;
}

/** A public key of any supported type. Compare with `equals`, serialise with `toPem`/`toDer`. */
export class PublicKey {
  /** Key family. */
  readonly type: KeyType;
  /** Curve of an `ec` key. */
  readonly curve: NamedCurve | undefined;
  /** DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
  /** Node's key object (for SM2 only used for serialisation, never for SM2 signatures). */
  readonly keyObject: KeyObject;
  /** The SM2 public point, for `sm2` keys. */
  readonly sm2Point: Sm2Point | undefined;
  /** The raw key bits (the SPKI BIT STRING contents), used for equality. */
  readonly rawKey: Uint8Array;

  /** @internal Use `importPublicKey`, `generateKeyPair` or `PrivateKey.publicKey`. */
  constructor(keyObject: KeyObject, spki: Uint8Array) {
    const info = parseSpki(spki);
    this.keyObject = keyObject;
    this.spki = spki;
    this.type = info.type;
    this.curve = info.curve;
    this.rawKey = info.rawKey;
    this.sm2Point = info.type === 'sm2' ? decodeSm2Point(info.rawKey) : undefined;
  }

  /** Key size in bits: the modulus for RSA, the field size for curves. */
  get sizeBits(): number {
    switch (this.type) {
      case 'rsa':
      case 'rsa-pss':
        return this.keyObject.asymmetricKeyDetails?.modulusLength ?? 0;
      case 'ec':
        return this.curve === 'P-384' ? 384 : 256;
      case 'ed25519':
      case 'sm2':
        return 256;
    }
  }

  /** True when both hold the same key material. */
  equals(other: PublicKey): boolean {
    return this.type === other.type && equalBytes(this.rawKey, other.rawKey);
  }

  /** DER SubjectPublicKeyInfo. */
  toDer(): Uint8Array {
    return this.spki;
  }

  /** PEM `PUBLIC KEY`. */
  toPem(): string {
    return encodePem('PUBLIC KEY', this.spki);
  }
}

/** A private key of any supported type, with its public key. Never printed or serialised by accident. */
export class PrivateKey {
  readonly type: KeyType;
  readonly curve: NamedCurve | undefined;
  /** Node's key object. For SM2 keys it serves export only: Node's own SM2 signing is not standard. */
  readonly keyObject: KeyObject;
  readonly publicKey: PublicKey;

  /** @internal Use `importPrivateKey` or `generateKeyPair`. */
  constructor(keyObject: KeyObject) {
    const pkcs8 = new Uint8Array(keyObject.export({ format: 'der', type: 'pkcs8' }));
    const info = parsePkcs8(pkcs8);
    this.keyObject = keyObject;
    this.type = info.type;
    this.curve = info.curve;
    if (info.type === 'sm2') {
      const d = info.sm2Scalar!;
      sm2Scalars.set(this, d);
      const point = sm2PublicPoint(d);
      const spki = sm2Spki(point);
      this.publicKey = new PublicKey(
        createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }),
        spki,
      );
    } else {
      const pub = createPublicKey(keyObject);
      this.publicKey = new PublicKey(
        pub,
        new Uint8Array(pub.export({ format: 'der', type: 'spki' })),
      );
    }
  }

  /**
   * DER PKCS#8, encrypted (PBES2, AES-256-CBC, PBKDF2-HMAC-SHA256) when a password is given.
   */
  toDer(options: { password?: string } = {}): Uint8Array {
    return new Uint8Array(
      options.password === undefined
        ? this.keyObject.export({ format: 'der', type: 'pkcs8' })
        : this.keyObject.export({
            format: 'der',
            type: 'pkcs8',
            cipher: 'aes-256-cbc',
            passphrase: options.password,
          }),
    );
  }

  /** PEM `PRIVATE KEY`, or `ENCRYPTED PRIVATE KEY` when a password is given. */
  toPem(options: { password?: string } = {}): string {
    return encodePem(
      options.password === undefined ? 'PRIVATE KEY' : 'ENCRYPTED PRIVATE KEY',
      this.toDer(options),
    );
  }

  /** Keeps key material out of logs: `JSON.stringify` and `console.log` show only the type. */
  toJSON(): { type: KeyType; curve?: NamedCurve } {
    return this.curve === undefined ? { type: this.type } : { type: this.type, curve: this.curve };
  }

  [inspect.custom](): string {
    return `PrivateKey { type: '${this.type}'${this.curve ? `, curve: '${this.curve}'` : ''} }`;
  }
}

/** A generated or imported key pair. */
export interface KeyPair {
  readonly privateKey: PrivateKey;
  readonly publicKey: PublicKey;
}

/**
 * Generates a key pair.
 * @example const { privateKey } = generateKeyPair('sm2');
 * @throws {KeyUnsupportedError} ERR_KEY_UNSUPPORTED for an unknown algorithm name
 */
export function generateKeyPair(algorithm: KeyGenAlgorithm): KeyPair {
  let keyObject: KeyObject;
  switch (algorithm) {
    case 'rsa2048':
    case 'rsa3072':
    case 'rsa4096':
      keyObject = generateKeyPairSync('rsa', {
        modulusLength: Number(algorithm.slice(3)),
      }).privateKey;
      break;
    case 'p256':
      keyObject = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
      break;
    case 'p384':
      keyObject = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey;
      break;
    case 'ed25519':
      keyObject = generateKeyPairSync('ed25519').privateKey;
      break;
    case 'sm2': {
      // Node generates the scalar natively; we re-import the PKCS#8 so the key object is typed SM2.
      // d = n-1 (excluded by GB/T 32918.1 because 1+d must be invertible) is retried.
      for (;;) {
        const ec = generateKeyPairSync('ec', { namedCurve: 'SM2' }).privateKey;
        try {
          const key = new PrivateKey(ec);
          return { privateKey: key, publicKey: key.publicKey };
        } catch (err) {
          if (!(err instanceof KeyUnsupportedError)) throw err;
        }
      }
    }
    default:
      throw new KeyUnsupportedError(`Unknown key algorithm: ${String(algorithm)}`);
  }
  const key = new PrivateKey(keyObject);
  return { privateKey: key, publicKey: key.publicKey };
}

/** Options of `importPrivateKey`. */
export interface ImportPrivateKeyOptions {
  /** Password of an encrypted PKCS#8 key. */
  readonly password?: string;
}

/**
 * Imports a private key from PEM (`PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`, `EC PRIVATE KEY`,
 * `RSA PRIVATE KEY`) or DER PKCS#8 (plain or encrypted).
 * @throws {KeyParseError} ERR_KEY_PARSE when the input is not a key
 * @throws {KeyDecryptError} ERR_KEY_DECRYPT when the key is encrypted and the password is missing or wrong
 * @throws {KeyUnsupportedError} ERR_KEY_UNSUPPORTED for a key type or curve GovTrust does not use
 */
export function importPrivateKey(
  input: Uint8Array | string,
  options: ImportPrivateKeyOptions = {},
): PrivateKey {
  let keyObject: KeyObject;
  try {
    if (looksLikePem(input)) {
      const text = pemText(input);
      const blocks = decodePemBlocks(text).filter((b) => b.label.endsWith('PRIVATE KEY'));
      if (blocks.length === 0)
        throw new KeyParseError('No PRIVATE KEY block found in the PEM input');
      const block = blocks[0]!;
      if (block.label === 'ENCRYPTED PRIVATE KEY' && options.password === undefined) {
        throw new KeyDecryptError('The key is encrypted: a password is required');
      }
      keyObject = createPrivateKey({
        key: text,
        format: 'pem',
        ...(options.password === undefined ? {} : { passphrase: options.password }),
      });
    } else {
      const der = Buffer.from(input as Uint8Array);
      const encrypted = isEncryptedPkcs8(der);
      if (encrypted && options.password === undefined) {
        throw new KeyDecryptError('The key is encrypted: a password is required');
      }
      keyObject = createPrivateKey({
        key: der,
        format: 'der',
        type: 'pkcs8',
        ...(encrypted && options.password !== undefined ? { passphrase: options.password } : {}),
      });
    }
  } catch (err) {
    throw mapKeyError(err);
  }
  return wrapPrivate(keyObject);
}

function wrapPrivate(keyObject: KeyObject): PrivateKey {
  try {
    return new PrivateKey(keyObject);
  } catch (err) {
    throw mapKeyError(err);
  }
}

function isEncryptedPkcs8(der: Uint8Array): boolean {
  // EncryptedPrivateKeyInfo starts SEQUENCE { SEQUENCE { OID ... } ...; PrivateKeyInfo with INTEGER.
  try {
    const outer = readSingle(der, Tag.SEQUENCE);
    const first = readTlv(outer.value, 0);
    return first.tag === Tag.SEQUENCE;
  } catch {
    return false;
  }
}

function mapKeyError(err: unknown): Error {
  if (
    err instanceof KeyParseError ||
    err instanceof KeyDecryptError ||
    err instanceof KeyUnsupportedError
  )
    return err;
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  if (
    code === 'ERR_MISSING_PASSPHRASE' ||
    /bad decrypt|maybe wrong password|interrupted or cancelled|unable to decrypt/i.test(message)
  ) {
    return new KeyDecryptError(undefined, { cause: err });
  }
  if (err instanceof DerError)
    return new KeyParseError(`Malformed key: ${err.message}`, { cause: err });
  if (code === 'ERR_OSSL_EVP_UNSUPPORTED' || /unsupported/i.test(message)) {
    return new KeyUnsupportedError(`Unsupported key: ${message}`);
  }
  return new KeyParseError(`Malformed key: ${message}`, { cause: err });
}

/**
 * Imports a public key from PEM or DER: a SubjectPublicKeyInfo (`PUBLIC KEY`) or an X.509
 * certificate (its subject public key is taken).
 * @throws {KeyParseError} ERR_KEY_PARSE when the input holds no public key
 * @throws {KeyUnsupportedError} ERR_KEY_UNSUPPORTED for a key type or curve GovTrust does not use
 */
export function importPublicKey(input: Uint8Array | string): PublicKey {
  let der: Uint8Array;
  try {
    if (looksLikePem(input)) {
      const blocks = decodePemBlocks(pemText(input));
      const block = blocks.find((b) => b.label === 'PUBLIC KEY' || b.label === 'CERTIFICATE');
      if (block === undefined)
        throw new KeyParseError('No PUBLIC KEY or CERTIFICATE block in the PEM input');
      der = block.label === 'CERTIFICATE' ? spkiFromCertificate(block.der) : block.der;
    } else {
      const bytes = input as Uint8Array;
      der = looksLikeCertificate(bytes) ? spkiFromCertificate(bytes) : bytes;
    }
    return publicKeyFromSpki(der);
  } catch (err) {
    throw mapKeyError(err);
  }
}

/**
 * The public key in a DER SubjectPublicKeyInfo.
 * @throws {KeyParseError} ERR_KEY_PARSE / {KeyUnsupportedError} ERR_KEY_UNSUPPORTED
 */
export function publicKeyFromSpki(spki: Uint8Array): PublicKey {
  try {
    const info = parseSpki(spki);
    // Some SM2 producers put the SM2 curve OID in the algorithm field itself; Node wants id-ecPublicKey.
    const normalised = info.type === 'sm2' ? sm2Spki(decodeSm2Point(info.rawKey)) : spki;
    const keyObject = createPublicKey({
      key: Buffer.from(normalised),
      format: 'der',
      type: 'spki',
    });
    return new PublicKey(keyObject, normalised);
  } catch (err) {
    throw mapKeyError(err);
  }
}

/**
 * The SubjectPublicKeyInfo of a DER X.509 certificate (RFC 5280 clause 4.1), without a full parse.
 * @throws {KeyParseError} ERR_KEY_PARSE when the bytes are not a certificate
 */
export function spkiFromCertificate(certificate: Uint8Array): Uint8Array {
  try {
    const cert = readSingle(certificate, Tag.SEQUENCE);
    const tbs = readTlv(cert.value, 0);
    const fields = readChildren(tbs);
    // [0] version is optional; then serial, signature, issuer, validity, subject, spki.
    const offset = fields[0]?.tag === 0xa0 ? 1 : 0;
    const spki = fields[offset + 5];
    if (spki === undefined || spki.tag !== Tag.SEQUENCE)
      throw new DerError('No subjectPublicKeyInfo', tbs.start);
    return new Uint8Array(spki.raw);
  } catch (err) {
    if (err instanceof DerError)
      throw new KeyParseError(`Malformed certificate: ${err.message}`, { cause: err });
    throw err;
  }
}

function looksLikeCertificate(der: Uint8Array): boolean {
  try {
    const outer = readSingle(der, Tag.SEQUENCE);
    const parts = readChildren(outer);
    // Certificate: SEQUENCE { tbs SEQUENCE, sigAlg SEQUENCE, BIT STRING }; SPKI: SEQUENCE { SEQUENCE, BIT STRING }.
    return parts.length === 3 && parts[2]!.tag === Tag.BIT_STRING;
  } catch {
    return false;
  }
}

interface KeyInfo {
  type: KeyType;
  curve: NamedCurve | undefined;
  rawKey: Uint8Array;
  sm2Scalar?: bigint;
}

function typeFromAlgorithm(alg: Tlv): { type: KeyType; curve: NamedCurve | undefined } {
  const parts = readChildren(alg);
  const oid = decodeOid(parts[0]!);
  switch (oid) {
    case oids.rsaEncryption:
      return { type: 'rsa', curve: undefined };
    case oids.rsassaPss:
      return { type: 'rsa-pss', curve: undefined };
    case oids.ed25519:
      return { type: 'ed25519', curve: undefined };
    case oids.sm2Curve:
      return { type: 'sm2', curve: undefined };
    case oids.ecPublicKey: {
      const param = parts[1];
      if (param === undefined || param.tag !== Tag.OID) {
        throw new KeyUnsupportedError(
          'EC keys with explicit or implicit curve parameters are not supported',
        );
      }
      const curve = decodeOid(param);
      if (curve === oids.p256) return { type: 'ec', curve: 'P-256' };
      if (curve === oids.p384) return { type: 'ec', curve: 'P-384' };
      if (curve === oids.sm2Curve) return { type: 'sm2', curve: undefined };
      throw new KeyUnsupportedError(`Unsupported elliptic curve ${curve}`);
    }
    default:
      throw new KeyUnsupportedError(`Unsupported key algorithm ${oid}`);
  }
}

function parseSpki(spki: Uint8Array): KeyInfo {
  const outer = readSingle(spki, Tag.SEQUENCE);
  const [alg, bits] = readChildren(outer);
  if (alg?.tag !== Tag.SEQUENCE || bits?.tag !== Tag.BIT_STRING || bits.value[0] !== 0) {
    throw new KeyParseError('Malformed SubjectPublicKeyInfo');
  }
  return { ...typeFromAlgorithm(alg), rawKey: bits.value.subarray(1) };
}

function parsePkcs8(pkcs8: Uint8Array): KeyInfo {
  const outer = readSingle(pkcs8, Tag.SEQUENCE);
  const [, alg, keyOctets] = readChildren(outer);
  if (alg?.tag !== Tag.SEQUENCE || keyOctets?.tag !== Tag.OCTET_STRING) {
    throw new KeyParseError('Malformed PKCS#8 PrivateKeyInfo');
  }
  const info = typeFromAlgorithm(alg);
  if (info.type !== 'sm2') return { ...info, rawKey: keyOctets.value };
  // ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING, [0] params, [1] publicKey } (RFC 5915)
  const ecKey = readSingle(keyOctets.value, Tag.SEQUENCE);
  const fields = readChildren(ecKey);
  const version = fields[0] === undefined ? -1n : decodeUnsignedInteger(fields[0]);
  const scalar = fields[1];
  if (version !== 1n || scalar?.tag !== Tag.OCTET_STRING)
    throw new KeyParseError('Malformed SM2 ECPrivateKey');
  return { ...info, rawKey: scalar.value, sm2Scalar: bytesToBigInt(scalar.value) };
}

/** DER SPKI of an SM2 point in the form OpenSSL writes (id-ecPublicKey, namedCurve SM2). */
function sm2Spki(point: Sm2Point): Uint8Array {
  const pointBytes = new Uint8Array(65);
  pointBytes[0] = 4;
  pointBytes.set(Buffer.from(point.x.toString(16).padStart(64, '0'), 'hex'), 1);
  pointBytes.set(Buffer.from(point.y.toString(16).padStart(64, '0'), 'hex'), 33);
  return encodeSequence(
    encodeSequence(encodeOid(oids.ecPublicKey), encodeOid(oids.sm2Curve)),
    encodeBitString(pointBytes),
  );
}

/** @internal Wraps a Node key object (used by the PKCS#12 reader). */
export function privateKeyFromKeyObject(keyObject: KeyObject): PrivateKey {
  return wrapPrivate(keyObject);
}

/** @internal Imports DER PKCS#8 (used by the PKCS#12 reader). */
export function privateKeyFromPkcs8(pkcs8: Uint8Array): PrivateKey {
  try {
    return wrapPrivate(createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' }));
  } catch (err) {
    throw mapKeyError(err);
  }
}
