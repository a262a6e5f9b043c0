/**
 * The certificate facts seal verification needs (RFC 5280 clause 4.1), and a minimal chain check
 * against trust anchors. Internal: it stands in until `@govtrust/core/pki` (parseCertificate,
 * validatePath) is on main, and is swapped out then.
 * @module
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import {
  decodeSignatureAlgorithm,
  publicKeyFromSpki,
  verifySignature,
  type PublicKey,
  type SignatureAlgorithm,
} from '../crypto/index.js';
import { equalBytes, toHex } from '../internal/bytes.js';
import { encodeOid, encodeSequence } from '../internal/der.js';

/** What a seal report says about a certificate. */
export interface CertificateSummary {
  readonly subject: string;
  readonly issuer: string;
  /** Lower-case hex. */
  readonly serialNumber: string;
  readonly notBefore: string;
  readonly notAfter: string;
}

/** @internal A parsed certificate. */
export interface SealCertificate {
  readonly der: Uint8Array;
  readonly subject: string;
  readonly issuer: string;
  readonly subjectDn: Uint8Array;
  readonly issuerDn: Uint8Array;
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Undefined when the key type is not supported (the reason is in `publicKeyError`). */
  readonly publicKey: PublicKey | undefined;
  readonly publicKeyError: string | undefined;
  readonly tbs: Uint8Array;
  readonly signatureAlgorithm: Uint8Array;
  readonly signatureValue: Uint8Array;
}

const attributeNames: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.42': 'GN',
  '2.5.4.97': 'organizationIdentifier',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
};

function escapeRdnValue(value: string): string {
  return value
    .replace(/([,+"\\<>;=])/g, '\\$1')
    .replace(/^([ #])/, '\\$1')
    .replace(/ $/, '\\ ');
}

function nameToString(name: pkijs.RelativeDistinguishedNames): string {
  // RFC 4514 writes the most specific RDN first, i.e. the reverse of the DER order.
  return [...name.typesAndValues]
    .reverse()
    .map((tv) => {
      const key = attributeNames[tv.type] ?? tv.type;
      const block = tv.value.valueBlock as { value?: unknown };
      const value =
        typeof block.value === 'string'
          ? block.value
          : `#${toHex(new Uint8Array(tv.value.toBER()))}`;
      return `${key}=${escapeRdnValue(value)}`;
    })
    .join(', ');
}

/** @internal Parses a DER certificate; returns a message instead of throwing for unreadable input. */
export function readCertificate(der: Uint8Array): SealCertificate | string {
  try {
    const asn = asn1js.fromBER(der);
    if (asn.offset === -1 || asn.offset !== der.length) return 'not a DER certificate';
    const cert = new pkijs.Certificate({ schema: asn.result });
    const spki = new Uint8Array(cert.subjectPublicKeyInfo.toSchema().toBER());
    let publicKey: PublicKey | undefined;
    let publicKeyError: string | undefined;
    try {
      publicKey = publicKeyFromSpki(spki);
    } catch (err) {
      publicKeyError = (err as Error).message;
    }
    const serial = toHex(cert.serialNumber.valueBlock.valueHexView).replace(/^0+(?=.)/, '');
    return {
      der,
      subject: nameToString(cert.subject),
      issuer: nameToString(cert.issuer),
      subjectDn: new Uint8Array(cert.subject.valueBeforeDecode),
      issuerDn: new Uint8Array(cert.issuer.valueBeforeDecode),
      serialNumber: serial,
      notBefore: cert.notBefore.value,
      notAfter: cert.notAfter.value,
      publicKey,
      publicKeyError,
      tbs: new Uint8Array(cert.tbsView),
      signatureAlgorithm: new Uint8Array(cert.signatureAlgorithm.toSchema().toBER()),
      signatureValue: new Uint8Array(cert.signatureValue.valueBlock.valueHexView),
    };
  } catch (err) {
    return `malformed certificate: ${(err as Error).message}`;
  }
}

/** @internal The report summary of a certificate. */
export function summarizeCertificate(cert: SealCertificate): CertificateSummary {
  return {
    subject: cert.subject,
    issuer: cert.issuer,
    serialNumber: cert.serialNumber,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
  };
}

/** @internal True when `issuer`'s key verifies `cert`'s signature (SM2 with the default ID). */
export function isSignedBy(cert: SealCertificate, issuer: SealCertificate): boolean {
  if (issuer.publicKey === undefined) return false;
  try {
    const { algorithm, saltLength } = decodeSignatureAlgorithm(cert.signatureAlgorithm);
    return verifySignature(
      algorithm,
      issuer.publicKey,
      cert.tbs,
      cert.signatureValue,
      saltLength === undefined ? {} : { saltLength },
    );
  } catch {
    return false;
  }
}

/** @internal The outcome of the minimal chain check. */
export interface ChainResult {
  readonly trusted: boolean;
  readonly chain: readonly SealCertificate[];
  readonly problem: string | undefined;
}

/**
 * @internal Builds a chain from `cert` through `intermediates` to one of `anchors` by name and
 * signature (at most 8 links), checking each certificate's validity at `at`.
 */
export function checkChain(
  cert: SealCertificate,
  intermediates: readonly SealCertificate[],
  anchors: readonly SealCertificate[],
  at: Date,
): ChainResult {
  const chain: SealCertificate[] = [cert];
  let current = cert;
  for (let depth = 0; depth < 8; depth++) {
    const anchor = anchors.find((a) => equalBytes(a.der, current.der));
    if (anchor !== undefined) return { trusted: true, chain, problem: undefined };
    const issuer = [...anchors, ...intermediates].find(
      (c) =>
        equalBytes(c.subjectDn, current.issuerDn) && !chain.includes(c) && isSignedBy(current, c),
    );
    if (issuer === undefined) {
      return { trusted: false, chain, problem: `no trusted issuer found for "${current.subject}"` };
    }
    if (at < issuer.notBefore || at > issuer.notAfter) {
      return {
        trusted: false,
        chain,
        problem: `issuer "${issuer.subject}" is not valid at ${at.toISOString()}`,
      };
    }
    chain.push(issuer);
    if (anchors.includes(issuer)) return { trusted: true, chain, problem: undefined };
    current = issuer;
  }
  return { trusted: false, chain, problem: 'chain too long' };
}

/** @internal The algorithm name of a signature OID, or undefined when GovTrust does not know it. */
export function algorithmFromOid(oid: string): SignatureAlgorithm | undefined {
  try {
    // A bare AlgorithmIdentifier { oid } is enough for the OIDs that carry their hash.
    return decodeSignatureAlgorithm(encodeSequence(encodeOid(oid))).algorithm;
  } catch {
    return undefined;
  }
}
