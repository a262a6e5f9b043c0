/**
 * X.501 distinguished names: decoding to RFC 4514 strings, encoding from a readable spec, and name
 * comparison per RFC 5280 clause 7.1 (case-insensitive, whitespace-insensitive matching).
 * @module
 */
import { toHex } from '../internal/bytes.js';
import {
  DerError,
  Tag,
  decodeOid,
  encodeOid,
  encodeSequence,
  encodeSetOf,
  encodeTlv,
  type Tlv,
} from '../internal/der.js';
import { readBer, berChildren } from '../internal/ber.js';
import { equalBytes } from '../internal/bytes.js';
import { pkixOids } from './oids.js';

/** Short names used in RFC 4514 strings and subject specs, with their attribute OIDs. */
const shortNames: Readonly<Record<string, string>> = {
  CN: pkixOids.commonName,
  L: pkixOids.localityName,
  ST: pkixOids.stateOrProvinceName,
  O: pkixOids.organizationName,
  OU: pkixOids.organizationalUnitName,
  C: pkixOids.countryName,
  STREET: pkixOids.streetAddress,
  DC: pkixOids.domainComponent,
  UID: pkixOids.userId,
  SN: pkixOids.surname,
  GN: pkixOids.givenName,
  title: pkixOids.title,
  serialNumber: pkixOids.serialNumber,
  organizationIdentifier: pkixOids.organizationIdentifier,
  emailAddress: pkixOids.emailAddress,
};

const namesByOid = new Map<string, string>(Object.entries(shortNames).map(([k, v]) => [v, k]));
const keysByUpper = new Map<string, string>(
  Object.keys(shortNames).map((k) => [k.toUpperCase(), k]),
);

/** One attribute of a name: its type (short name or OID) and value. */
export interface NameAttribute {
  /** Short name (`CN`, `O`, `serialNumber`...) or dotted OID. */
  readonly type: string;
  readonly value: string;
}

/**
 * A name to put in a certificate: an RFC 4514 string (`CN=Seal,O=示例单位,C=CN`, most specific
 * first) or the attributes in X.500 order (most significant first, e.g. C, O, CN).
 */
export type NameSpec = string | readonly NameAttribute[] | Readonly<Record<string, string>>;

interface DecodedAtv {
  readonly oid: string;
  /** The decoded string, or undefined for a non-string value. */
  readonly text: string | undefined;
  readonly valueDer: Uint8Array;
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function decodeString(tlv: Tlv): string | undefined {
  const v = tlv.value;
  switch (tlv.tag) {
    case Tag.UTF8_STRING:
      return new TextDecoder('utf-8', { fatal: false }).decode(v);
    case Tag.PRINTABLE_STRING:
    case Tag.IA5_STRING:
    case 0x12: // NumericString
    case 0x1a: // VisibleString
    case 0x14: // TeletexString: in practice Latin-1
      // These types are ASCII by definition, but real Chinese certificates put UTF-8 in them
      // (e.g. an emailAddress with hanzi): show valid UTF-8 as such, anything else as Latin-1.
      return v.some((b) => b > 0x7f) && isUtf8(v)
        ? Buffer.from(v).toString('utf8')
        : Buffer.from(v).toString('latin1');
    case 0x1e: {
      // BMPString: UTF-16BE.
      const swapped = Buffer.from(v);
      if (swapped.length % 2 !== 0) return undefined;
      swapped.swap16();
      return swapped.toString('utf16le');
    }
    case 0x1c: {
      // UniversalString: UTF-32BE.
      if (v.length % 4 !== 0) return undefined;
      let out = '';
      for (let i = 0; i < v.length; i += 4) {
        const cp = ((v[i]! << 24) | (v[i + 1]! << 16) | (v[i + 2]! << 8) | v[i + 3]!) >>> 0;
        if (cp > 0x10ffff) return undefined;
        out += String.fromCodePoint(cp);
      }
      return out;
    }
    default:
      return undefined;
  }
}

function decodeRdns(nameDer: Uint8Array): DecodedAtv[][] {
  const outer = readBer(nameDer, 0);
  if (outer.tag !== Tag.SEQUENCE) throw new DerError('Name must be a SEQUENCE', 0);
  return berChildren(outer, nameDer).map((rdn) => {
    if (rdn.tag !== Tag.SET) throw new DerError('RDN must be a SET', rdn.start);
    return berChildren(rdn, nameDer).map((atv) => {
      const [type, value] = berChildren(atv, nameDer);
      if (type === undefined || value === undefined)
        throw new DerError('Malformed AttributeTypeAndValue', atv.start);
      return { oid: decodeOid(type), text: decodeString(value), valueDer: value.raw };
    });
  });
}

function escapeValue(value: string): string {
  // RFC 4514 clause 2.4.
  let out = value.replace(/[\\,+"<>;]/g, (c) => '\\' + c).replace(/\0/g, '\\00');
  if (out.startsWith('#') || out.startsWith(' ')) out = '\\' + out;
  if (out.endsWith(' ') && out.length > 1) out = out.slice(0, -1) + '\\ ';
  return out;
}

/**
 * The RFC 4514 string of a DER Name (most specific RDN first), e.g. `CN=Seal,O=示例单位,C=CN`.
 * @throws {DerError} when the bytes are not a Name
 */
export function nameToString(nameDer: Uint8Array): string {
  return decodeRdns(nameDer)
    .reverse()
    .map((rdn) =>
      rdn
        .map((atv) => {
          const type = namesByOid.get(atv.oid) ?? atv.oid;
          const value = atv.text === undefined ? '#' + toHex(atv.valueDer) : escapeValue(atv.text);
          return `${type}=${value}`;
        })
        .join('+'),
    )
    .join(',');
}

/** The values of one attribute type in a DER Name, most significant first. */
export function nameAttributeValues(nameDer: Uint8Array, oid: string): string[] {
  const out: string[] = [];
  for (const rdn of decodeRdns(nameDer))
    for (const atv of rdn) if (atv.oid === oid && atv.text !== undefined) out.push(atv.text);
  return out;
}

function normalise(text: string): string {
  // RFC 4518 simplified: compatibility normalisation, case folding, insignificant spaces.
  return text.normalize('NFKC').toLowerCase().trim().replace(/\s+/g, ' ');
}

/** True when two DER Names match under RFC 5280 clause 7.1 rules. */
export function namesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (equalBytes(a, b)) return true;
  let ra: DecodedAtv[][];
  let rb: DecodedAtv[][];
  try {
    ra = decodeRdns(a);
    rb = decodeRdns(b);
  } catch {
    return false;
  }
  if (ra.length !== rb.length) return false;
  for (let i = 0; i < ra.length; i++) {
    const x = ra[i]!;
    const y = rb[i]!;
    if (x.length !== y.length) return false;
    const key = (atv: DecodedAtv): string =>
      atv.oid + '=' + (atv.text === undefined ? '#' + toHex(atv.valueDer) : normalise(atv.text));
    const xs = x.map(key).sort();
    const ys = y.map(key).sort();
    if (xs.some((k, j) => k !== ys[j])) return false;
  }
  return true;
}

function parseRfc4514(text: string): NameAttribute[][] {
  // Splits on unescaped ',' (RDNs) and '+' (multi-valued RDNs); handles \c and \XX escapes.
  const rdns: NameAttribute[][] = [];
  let rdn: NameAttribute[] = [];
  let buf = '';
  let type: string | undefined;
  const bytes: number[] = [];
  const flushBytes = (): void => {
    if (bytes.length > 0) {
      buf += Buffer.from(bytes).toString('utf8');
      bytes.length = 0;
    }
  };
  const endAtv = (): void => {
    flushBytes();
    if (type === undefined) throw new RangeError(`Malformed name "${text}": missing "="`);
    rdn.push({ type: type.trim(), value: buf.trim() });
    buf = '';
    type = undefined;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (type === undefined) {
      if (c === '=') {
        type = buf;
        buf = '';
      } else if (c === ',' || c === '+') {
        throw new RangeError(`Malformed name "${text}"`);
      } else buf += c;
      continue;
    }
    if (c === '\\') {
      const next = text.slice(i + 1, i + 3);
      if (/^[0-9a-fA-F]{2}$/.test(next)) {
        bytes.push(parseInt(next, 16));
        i += 2;
      } else {
        flushBytes();
        buf += text[i + 1] ?? '';
        i += 1;
      }
      continue;
    }
    flushBytes();
    if (c === ',' || c === '+') {
      endAtv();
      if (c === ',') {
        rdns.push(rdn);
        rdn = [];
      }
    } else buf += c;
  }
  endAtv();
  rdns.push(rdn);
  // RFC 4514 strings list the most specific RDN first; DER order is the reverse.
  return rdns.reverse();
}

function attributeOid(type: string): string {
  if (/^\d+(\.\d+)+$/.test(type)) return type;
  const key = keysByUpper.get(type.toUpperCase());
  if (key === undefined) throw new RangeError(`Unknown name attribute type "${type}"`);
  return shortNames[key]!;
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

function encodeAtv(attr: NameAttribute): Uint8Array {
  const oid = attributeOid(attr.type);
  let value: Uint8Array;
  if (oid === pkixOids.countryName) {
    if (!/^[A-Z]{2}$/.test(attr.value))
      throw new RangeError(`Country must be two capital letters: "${attr.value}"`);
    value = encodeTlv(Tag.PRINTABLE_STRING, Buffer.from(attr.value, 'latin1'));
  } else if (oid === pkixOids.domainComponent || oid === pkixOids.emailAddress) {
    value = encodeTlv(Tag.IA5_STRING, Buffer.from(attr.value, 'latin1'));
  } else if (oid === pkixOids.serialNumber && PRINTABLE.test(attr.value)) {
    // X.520 defines serialNumber as PrintableString.
    value = encodeTlv(Tag.PRINTABLE_STRING, Buffer.from(attr.value, 'latin1'));
  } else {
    if (attr.value.length === 0) throw new RangeError(`Empty value for ${attr.type}`);
    value = encodeTlv(Tag.UTF8_STRING, Buffer.from(attr.value, 'utf8'));
  }
  return encodeSequence(encodeOid(oid), value);
}

/**
 * The DER Name of a spec (RFC 4514 string, attribute list or record in X.500 order).
 * @throws {RangeError} for an unknown attribute type or a malformed string
 */
export function encodeName(spec: NameSpec): Uint8Array {
  let rdns: NameAttribute[][];
  if (typeof spec === 'string') rdns = parseRfc4514(spec);
  else if (Array.isArray(spec)) rdns = (spec as readonly NameAttribute[]).map((a) => [a]);
  else
    rdns = Object.entries(spec as Readonly<Record<string, string>>).map(([type, value]) => [
      { type, value },
    ]);
  return encodeSequence(...rdns.map((rdn) => encodeSetOf(rdn.map(encodeAtv))));
}
