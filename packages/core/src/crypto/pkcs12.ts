/**
 * PKCS#12 (RFC 7292) key stores: reading .p12/.pfx files (modern PBES2/AES and the legacy
 * 3DES/RC2 forms Windows and `openssl pkcs12 -legacy` write) and writing them with a chain.
 *
 * Reading uses node-forge, the one maintained JS library that decodes every PBE scheme in the
 * wild; writing uses pkijs, because node-forge can only write RSA keys.
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { KeyDecryptError, KeyParseError, InvalidInputError } from '../errors/index.js';
import { equalBytes } from '../internal/bytes.js';
import {
  importPublicKey,
  privateKeyFromPkcs8,
  spkiFromCertificate,
  publicKeyFromSpki,
  type PrivateKey,
} from './keys.js';

/** The contents of a PKCS#12 file. */
export interface Pkcs12Contents {
  readonly privateKey: PrivateKey;
  /** DER certificates: the key's own certificate first (when present), then the others as stored. */
  readonly certificates: Uint8Array[];
}

const OID_X509_CERT = '1.2.840.113549.1.9.22.1';
const OID_LOCAL_KEY_ID = '1.2.840.113549.1.9.21';
const OID_FRIENDLY_NAME = '1.2.840.113549.1.9.20';

function forgeBytes(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('binary');
}

function fromForge(binary: string): Uint8Array {
  return new Uint8Array(Buffer.from(binary, 'binary'));
}

/**
 * Reads a PKCS#12 file: the (first) private key and every certificate.
 * @example const { privateKey, certificates } = importPkcs12(readFileSync('seal.p12'), 'secret');
 * @throws {KeyDecryptError} ERR_KEY_DECRYPT when the password is wrong (MAC mismatch or decryption failure)
 * @throws {KeyParseError} ERR_KEY_PARSE when the bytes are not a PKCS#12 file or hold no private key
 */
export function importPkcs12(der: Uint8Array, password: string): Pkcs12Contents {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(forgeBytes(der)), {
      strict: false,
    } as never);
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, true, password);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/mac could not be verified|invalid password|decrypt/i.test(message))
      throw new KeyDecryptError(undefined, { cause: err });
    throw new KeyParseError(`Not a readable PKCS#12 file: ${message}`, { cause: err });
  }
  const keyBags = [
    ...(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[
      forge.pki.oids.pkcs8ShroudedKeyBag!
    ] ?? []),
    ...(p12.getBags({ bagType: forge.pki.oids.keyBag! })[forge.pki.oids.keyBag!] ?? []),
  ];
  const keyBag = keyBags[0];
  if (keyBag === undefined) throw new KeyParseError('The PKCS#12 file holds no private key');
  let pkcs8: Uint8Array;
  if (keyBag.key) {
    pkcs8 = fromForge(
      forge.asn1
        .toDer(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(keyBag.key)))
        .getBytes(),
    );
  } else if ((keyBag as { asn1?: forge.asn1.Asn1 }).asn1) {
    pkcs8 = fromForge(forge.asn1.toDer((keyBag as { asn1: forge.asn1.Asn1 }).asn1).getBytes());
  } else {
    throw new KeyDecryptError('The PKCS#12 private key could not be decrypted');
  }
  const privateKey = privateKeyFromPkcs8(pkcs8);
  const certBags = p12.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!] ?? [];
  const certificates = certBags.map((bag) => {
    // forge keeps the original TBSCertificate, so re-encoding reproduces the stored DER exactly.
    const asn1 = bag.cert
      ? forge.pki.certificateToAsn1(bag.cert)
      : (bag as { asn1?: forge.asn1.Asn1 }).asn1;
    if (asn1 === undefined) throw new KeyParseError('Unreadable certificate in the PKCS#12 file');
    return fromForge(forge.asn1.toDer(asn1).getBytes());
  });
  // Put the key's own certificate first.
  const own = certificates.findIndex((c) =>
    publicKeyFromSpki(spkiFromCertificate(c)).equals(privateKey.publicKey),
  );
  if (own > 0) certificates.unshift(...certificates.splice(own, 1));
  return { privateKey, certificates };
}

/** Options of `exportPkcs12`. */
export interface ExportPkcs12Options {
  readonly privateKey: PrivateKey;
  /** DER certificates, the key's own first. */
  readonly certificates: readonly Uint8Array[];
  readonly password: string;
  /** Shown by key-store tools; default "govtrust". */
  readonly friendlyName?: string;
  /** PBKDF2 and MAC iteration count; default 2048 (OpenSSL 3's default). */
  readonly iterations?: number;
}

/**
 * Writes a PKCS#12 file as OpenSSL 3 does by default: the key in a PBES2 (AES-256-CBC,
 * PBKDF2-HMAC-SHA256) shrouded key bag, certificates in clear, an HMAC-SHA256 integrity MAC.
 * @throws {InvalidInputError} ERR_INVALID_INPUT when the password is empty or the first certificate is not the key's
 */
export async function exportPkcs12(options: ExportPkcs12Options): Promise<Uint8Array> {
  const { privateKey, certificates, password } = options;
  if (password.length === 0)
    throw new InvalidInputError('A PKCS#12 password must not be empty', { field: 'password' });
  const leaf = certificates[0];
  if (leaf !== undefined && !importPublicKey(leaf).equals(privateKey.publicKey)) {
    throw new InvalidInputError('The first certificate does not belong to the private key', {
      field: 'certificates',
    });
  }
  const iterations = options.iterations ?? 2048;
  const localKeyId =
    leaf === undefined ? randomBytes(20) : createHash('sha1').update(leaf).digest();
  const attributes = (withName: boolean): pkijs.Attribute[] => {
    const attrs = [
      new pkijs.Attribute({
        type: OID_LOCAL_KEY_ID,
        values: [new asn1js.OctetString({ valueHex: toArrayBuffer(localKeyId) })],
      }),
    ];
    if (withName) {
      attrs.push(
        new pkijs.Attribute({
          type: OID_FRIENDLY_NAME,
          values: [new asn1js.BmpString({ value: options.friendlyName ?? 'govtrust' })],
        }),
      );
    }
    return attrs;
  };
  const certBags = certificates.map(
    (der, i) =>
      new pkijs.SafeBag({
        bagId: '1.2.840.113549.1.12.10.1.3',
        bagValue: new pkijs.CertBag({
          certId: OID_X509_CERT,
          certValue: new asn1js.OctetString({ valueHex: toArrayBuffer(der) }),
        }),
        ...(i === 0 ? { bagAttributes: attributes(true) } : {}),
      }),
  );
  // Node writes exactly an EncryptedPrivateKeyInfo (PBES2, AES-256-CBC, PBKDF2-HMAC-SHA256).
  const encryptedKey = privateKey.keyObject.export({
    format: 'der',
    type: 'pkcs8',
    cipher: 'aes-256-cbc',
    passphrase: password,
  });
  const shrouded = pkijs.PKCS8ShroudedKeyBag.fromBER(toArrayBuffer(new Uint8Array(encryptedKey)));
  const keyBag = new pkijs.SafeBag({
    bagId: '1.2.840.113549.1.12.10.1.2',
    bagValue: shrouded,
    bagAttributes: attributes(true),
  });
  const pfx = new pkijs.PFX({
    parsedValue: {
      integrityMode: 0,
      authenticatedSafe: new pkijs.AuthenticatedSafe({
        parsedValue: {
          safeContents: [
            { privacyMode: 0, value: new pkijs.SafeContents({ safeBags: certBags }) },
            { privacyMode: 0, value: new pkijs.SafeContents({ safeBags: [keyBag] }) },
          ],
        },
      }),
    },
  });
  await pfx.parsedValue!.authenticatedSafe!.makeInternalValues({ safeContents: [{}, {}] });
  await pfx.makeInternalValues({
    password: toArrayBuffer(new TextEncoder().encode(password)),
    iterations,
    pbkdf2HashAlgorithm: 'SHA-256',
    hmacHashAlgorithm: 'SHA-256',
  });
  const out = new Uint8Array(pfx.toSchema().toBER(false));
  // Self-check: what we wrote must read back to the same key.
  const back = importPkcs12(out, password);
  if (!equalBytes(back.privateKey.publicKey.rawKey, privateKey.publicKey.rawKey)) {
    throw new KeyParseError('PKCS#12 self-check failed');
  }
  return out;
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
