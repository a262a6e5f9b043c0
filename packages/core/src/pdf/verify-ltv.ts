/**
 * Validation data embedded in a signed PDF: the document security store (ISO 32000-2 §12.8.4.3,
 * ETSI EN 319 142-1 B-LT: /DSS /Certs /CRLs /OCSPs), the CMS `crls` and RFC 5940 other revocation
 * information, and Adobe's `adbe-revocationInfoArchival` signed attribute (1.2.840.113583.1.1.8).
 * @module
 */
import type { ParsedCms } from '../cms/index.js';
import { GovTrustError } from '../errors/index.js';
import { berChildren, readBer, type BerTlv } from '../internal/ber.js';
import { contextTag } from '../internal/der.js';
import type { PdfDocument } from './document.js';
import { PdfStream } from './objects.js';
import { arrayAt, catalogAt, dictAt, resolveAt } from './verify-graph.js';

/** Adobe's revocation archival attribute (PDF Reference 1.7 §12.8.3.3.2). */
const ADBE_REVOCATION_INFO_ARCHIVAL = '1.2.840.113583.1.1.8';
/** RFC 5940 id-ri-ocsp-response: an OCSPResponse as other revocation information. */
const RI_OCSP_RESPONSE = '1.3.6.1.5.5.7.16.2';
/** Largest single DSS stream decoded, and the most items read per array. */
const MAX_ITEM_BYTES = 8 * 1024 * 1024;
const MAX_ITEMS = 1000;

/** Certificates and revocation data (all DER). */
export interface ValidationData {
  readonly certs: Uint8Array[];
  readonly crls: Uint8Array[];
  readonly ocsps: Uint8Array[];
}

/** The document security store of the newest revision, and the first revision that had one. */
export interface DocumentSecurityStore extends ValidationData {
  /** 0-based revision in which /DSS first appears; undefined when there is none. */
  readonly since: number | undefined;
}

/** Reads /DSS (unreadable items are skipped: they only ever add evidence). */
export function readDss(doc: PdfDocument): DocumentSecurityStore {
  const last = doc.revisions.length - 1;
  let since: number | undefined;
  for (let r = 0; r <= last && since === undefined; r++)
    if (catalogAt(doc, r)?.dict.has('DSS') === true) since = r;
  const dss = dictAt(doc, catalogAt(doc, last)?.dict.get('DSS'), last);
  const read = (key: string): Uint8Array[] => {
    const out: Uint8Array[] = [];
    for (const item of (arrayAt(doc, dss?.get(key), last) ?? []).slice(0, MAX_ITEMS)) {
      const s = resolveAt(doc, item, last);
      if (!(s instanceof PdfStream)) continue;
      try {
        const data = doc.decode(s);
        if (data.length <= MAX_ITEM_BYTES) out.push(data);
      } catch (err) {
        if (!(err instanceof GovTrustError)) throw err;
      }
    }
    return out;
  };
  return { since, certs: read('Certs'), crls: read('CRLs'), ocsps: read('OCSPs') };
}

function children(node: BerTlv, input: Uint8Array): BerTlv[] {
  try {
    return berChildren(node, input);
  } catch {
    return [];
  }
}

/** The revocation data a CMS carries: `crls`, RFC 5940 OCSP responses, and the Adobe archival attribute. */
export function cmsValidationData(cms: ParsedCms): ValidationData {
  const crls = [...cms.crls];
  const ocsps = cms.otherRevocationInfo
    .filter((o) => o.format === RI_OCSP_RESPONSE)
    .map((o) => o.value);
  const archival = cms.signedAttributes.find((a) => a.oid === ADBE_REVOCATION_INFO_ARCHIVAL);
  for (const value of archival?.values ?? []) {
    // RevocationInfoArchival ::= SEQUENCE { crl [0] EXPLICIT SEQUENCE OF CRL OPTIONAL,
    //   ocsp [1] EXPLICIT SEQUENCE OF OCSPResponse OPTIONAL, otherRevInfo [2] ... OPTIONAL }
    try {
      const seq = readBer(value, 0);
      for (const part of children(seq, value)) {
        const inner = children(part, value)[0];
        if (inner === undefined) continue;
        const items = children(inner, value).map((x) => x.raw);
        if (part.tag === contextTag(0, true)) crls.push(...items);
        else if (part.tag === contextTag(1, true)) ocsps.push(...items);
      }
    } catch {
      // A malformed archival attribute adds no evidence; the signature over it still counts.
    }
  }
  return { certs: [...cms.certificates], crls, ocsps };
}
