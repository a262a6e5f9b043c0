/**
 * Signature dictionary, /ByteRange and /Contents checks (ISO 32000-1 §12.8.1 Table 252;
 * pdf-signing.md §3.1 universal signature forgery, §3.2 incremental saving, §3.3 signature
 * wrapping): the ByteRange is a direct array of two ranges starting at byte 0, its gap is exactly
 * this dictionary's own /Contents hex string as it sits in the file, and its end is the end of a
 * revision; /Contents holds one DER object followed only by zero padding.
 * @module
 */
import { readBer } from '../internal/ber.js';
import { GovTrustError } from '../errors/index.js';
import type { PdfDocument, PdfRevision } from './document.js';
import { PdfDict, PdfName, PdfRef, PdfString } from './objects.js';
import { isWhitespace, PdfLexer } from './syntax.js';
import type { Findings } from './verify-report.js';

/** Most ranges a /ByteRange may list before it is refused unread. */
const MAX_RANGES = 32;

/** The outcome of the ByteRange checks. */
export interface ByteRangeResult {
  /** The ranges to digest ([start, end) pairs), when they lie inside the file; else undefined. */
  readonly ranges: readonly (readonly [number, number])[] | undefined;
  /** Two ranges from byte 0 whose gap is exactly this dictionary's /Contents. */
  readonly wellFormed: boolean;
  readonly coverage: 'entire-file' | 'entire-revision' | 'partial';
  /** 0-based revision whose end the signed bytes end at. */
  readonly signedRevision: number | undefined;
}

/** Where the value of /Contents sits in the file: [start, end) of the `<...>` token. */
export function locateContents(
  bytes: Uint8Array,
  offset: number,
): { start: number; end: number } | undefined {
  try {
    const lx = new PdfLexer(bytes, offset);
    lx.readUnsigned('object number');
    lx.readUnsigned('generation');
    lx.expectKeyword('obj');
    lx.skipWs();
    if (bytes[lx.pos] !== 0x3c || bytes[lx.pos + 1] !== 0x3c) return undefined;
    lx.pos += 2;
    for (let i = 0; i < 10_000; i++) {
      lx.skipWs();
      if (bytes[lx.pos] === 0x3e && bytes[lx.pos + 1] === 0x3e) return undefined;
      const key = lx.parseObject();
      if (!(key instanceof PdfName)) return undefined;
      lx.skipWs();
      const start = lx.pos;
      lx.parseObject();
      if (key.name === 'Contents') return { start, end: lx.pos };
    }
    return undefined;
  } catch (err) {
    if (err instanceof GovTrustError) return undefined;
    throw err;
  }
}

/** The byte just after a revision's `%%EOF` (its `end` may include one end-of-line more). */
function eofEnd(bytes: Uint8Array, r: PdfRevision): number {
  let e = r.end;
  for (let k = 0; k < 2 && e > 0 && (bytes[e - 1] === 0x0a || bytes[e - 1] === 0x0d); k++) e--;
  return e;
}

/**
 * Checks /ByteRange against the file and this dictionary's own /Contents token.
 * @param file the whole file (it may be longer than `doc.bytes` when only a prefix parsed)
 * @param offset byte offset of the dictionary's `n g obj`, undefined inside an object stream
 */
export function checkByteRange(
  file: Uint8Array,
  doc: PdfDocument,
  dict: PdfDict,
  offset: number | undefined,
  findings: Findings,
): ByteRangeResult {
  const bad = (message: string): ByteRangeResult => {
    findings.invalid('ERR_PDF_BYTE_RANGE_INVALID', message);
    return { ranges: undefined, wellFormed: false, coverage: 'partial', signedRevision: undefined };
  };
  const br = dict.get('ByteRange');
  if (br === undefined) return bad('The signature has no /ByteRange');
  if (br === null) return bad('/ByteRange is null');
  if (br instanceof PdfRef)
    return bad('/ByteRange is an indirect object (it must be a direct array in the signed bytes)');
  if (!Array.isArray(br)) return bad('/ByteRange is not an array');
  if (br.length === 0) return bad('/ByteRange is empty');
  if (br.length % 2 !== 0) return bad(`/ByteRange has ${br.length} numbers, not pairs`);
  if (br.length > MAX_RANGES * 2) return bad(`/ByteRange lists more than ${MAX_RANGES} ranges`);
  if (!br.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0))
    return bad('/ByteRange holds something other than non-negative integers');
  const nums = br as number[];
  const L = file.length;
  const ranges: [number, number][] = [];
  for (let i = 0; i < nums.length; i += 2) {
    const s = nums[i]!;
    const e = s + nums[i + 1]!;
    if (e > L)
      return bad(`/ByteRange [${nums.join(' ')}] reaches past the end of the file (${L} bytes)`);
    ranges.push([s, e]);
  }
  const state = { wellFormed: true };
  const problem = (code: string, message: string): void => {
    state.wellFormed = false;
    findings.invalid(code, message);
  };
  const text = `/ByteRange [${nums.join(' ')}]`;
  if (nums.length !== 4) {
    problem('ERR_PDF_BYTE_RANGE_INVALID', `${text} must list exactly two ranges`);
    return { ranges, wellFormed: false, coverage: 'partial', signedRevision: undefined };
  }
  const [a, b, c, d] = nums as [number, number, number, number];
  if (a !== 0) problem('ERR_PDF_BYTE_RANGE_INVALID', `${text} does not start at byte 0`);
  if (b === 0 || d === 0) problem('ERR_PDF_BYTE_RANGE_INVALID', `${text} has an empty range`);
  if (c < a + b)
    problem('ERR_PDF_BYTE_RANGE_INVALID', `${text}: the second range starts before the first ends`);
  if (state.wellFormed) {
    const contents = offset === undefined ? undefined : locateContents(doc.bytes, offset);
    if (offset === undefined)
      problem(
        'ERR_PDF_BYTE_RANGE_CONTENTS_MISMATCH',
        'The signature dictionary is inside an object stream, so no byte range can frame its /Contents',
      );
    else if (contents === undefined)
      problem(
        'ERR_PDF_BYTE_RANGE_CONTENTS_MISMATCH',
        'The /Contents of the signature dictionary cannot be located in the file',
      );
    else if (contents.start !== b || contents.end !== c)
      problem(
        'ERR_PDF_BYTE_RANGE_CONTENTS_MISMATCH',
        `${text} leaves bytes ${b}..${c} unsigned, but this dictionary's /Contents is at ${contents.start}..${contents.end}`,
      );
    else {
      let hex = true;
      for (let p = b + 1; p < c - 1 && hex; p++) {
        const ch = file[p]!;
        hex =
          (ch >= 0x30 && ch <= 0x39) || (ch >= 0x41 && ch <= 0x46) || (ch >= 0x61 && ch <= 0x66);
      }
      if (file[b] !== 0x3c || file[c - 1] !== 0x3e || !hex || (c - b - 2) % 2 !== 0)
        problem(
          'ERR_PDF_CONTENTS_INVALID',
          'The unsigned gap holds something other than an even number of hexadecimal digits between < and >',
        );
    }
  }
  // Map the end of the signed bytes to a revision (§3.2): the byte after %%EOF, or after its EOL.
  const end = c + d;
  const revs = doc.revisions;
  let signedRevision: number | undefined;
  for (let i = 0; i < revs.length; i++) {
    const r = revs[i]!;
    if (end < eofEnd(doc.bytes, r)) continue;
    // A signer may also have covered a little whitespace after the end-of-line.
    let p = r.end;
    while (p < end && p - r.end < 16 && isWhitespace(file[p])) p++;
    if (p >= end) signedRevision = i;
  }
  if (signedRevision === undefined) {
    if (state.wellFormed)
      problem(
        'ERR_PDF_BYTE_RANGE_NOT_REVISION',
        `The signed bytes end at ${end}, which is not the end of any revision (revisions end at ${revs.map((r) => r.end).join(', ')}; the file has ${L} bytes)`,
      );
    return { ranges, wellFormed: false, coverage: 'partial', signedRevision };
  }
  if (!state.wellFormed) return { ranges, wellFormed: false, coverage: 'partial', signedRevision };
  let rest = end;
  while (rest < L && isWhitespace(file[rest])) rest++;
  const coverage =
    signedRevision === revs.length - 1 && rest === L ? 'entire-file' : 'entire-revision';
  return { ranges, wellFormed: true, coverage, signedRevision };
}

/**
 * The CMS (or time-stamp token) bytes of /Contents: one BER object, then only zero padding.
 * Returns undefined after recording why there is nothing to verify.
 */
export function readContents(dict: PdfDict, findings: Findings): Uint8Array | undefined {
  const v = dict.get('Contents');
  if (v === undefined) {
    findings.invalid('ERR_PDF_CONTENTS_INVALID', 'The signature has no /Contents');
    return undefined;
  }
  if (v instanceof PdfRef) {
    findings.invalid(
      'ERR_PDF_CONTENTS_INVALID',
      '/Contents is an indirect object (it must be a direct hexadecimal string)',
    );
    return undefined;
  }
  if (!(v instanceof PdfString)) {
    findings.invalid('ERR_PDF_CONTENTS_INVALID', '/Contents is not a string');
    return undefined;
  }
  if (!v.hex)
    findings.invalid(
      'ERR_PDF_CONTENTS_INVALID',
      '/Contents is a literal string, not a hexadecimal string',
    );
  const bytes = v.bytes;
  if (bytes.length === 0 || bytes.every((x) => x === 0)) {
    findings.invalid(
      'ERR_PDF_CONTENTS_INVALID',
      '/Contents is empty (the signature value was never written)',
    );
    return undefined;
  }
  let end: number;
  try {
    end = readBer(bytes, 0).end;
  } catch (err) {
    findings.invalid(
      'ERR_CMS_PARSE',
      `/Contents does not hold a DER object: ${err instanceof Error ? err.message : String(err)}`,
    );
    return undefined;
  }
  for (let i = end; i < bytes.length; i++)
    if (bytes[i] !== 0) {
      findings.invalid(
        'ERR_PDF_CONTENTS_PADDING',
        `/Contents carries ${bytes.length - end} bytes after the signature that are not zero padding`,
      );
      break;
    }
  return bytes.subarray(0, end);
}
