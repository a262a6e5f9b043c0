/** Reading OFD XML parts (GB/T 33190 clause 7.4, namespace http://www.ofdspec.org/2016) with fast-xml-parser, with no DTDs or entity expansion. @module */
import { XMLParser } from 'fast-xml-parser';
import { SyntaxValidator } from 'fast-xml-validator';
import { OfdPackageError } from '../../errors/index.js';

/** A parsed element: child elements by local name, attributes under `@name`, text under `#text`. */
export type XmlNode = Record<string, unknown>;

/** Elements that may repeat, always read as arrays. */
const REPEATING = new Set(['DocBody', 'Signature', 'Reference', 'StampAnnot']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (name) => REPEATING.has(name),
});

/** Text of XML bytes: UTF-8 (with or without BOM) or the GB encodings some producers declare. */
function decodeXml(bytes: Uint8Array): string {
  const head = Buffer.from(bytes.subarray(0, 200)).toString('latin1');
  const declared = /encoding\s*=\s*["']([A-Za-z0-9_-]+)["']/.exec(head)?.[1]?.toLowerCase();
  const gb = declared !== undefined && /^(gbk|gb2312|gb18030|gb_2312-80)$/.test(declared);
  return new TextDecoder(gb ? 'gb18030' : 'utf-8', { fatal: true }).decode(bytes);
}

/**
 * Parses one XML part and returns its root element (by local name).
 * @throws {OfdPackageError} ERR_OFD_PARSE for malformed XML, a DOCTYPE, or a root other than `root`
 */
export function parseOfdXml(bytes: Uint8Array, part: string, root: string): XmlNode {
  let text: string;
  try {
    text = decodeXml(bytes);
  } catch (err) {
    throw new OfdPackageError('ERR_OFD_PARSE', `${part} is not valid UTF-8/GB 18030 text`, {
      entry: part,
      cause: err,
    });
  }
  // OFD never needs a DTD; refusing it rules out entity-expansion and external-entity attacks.
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    throw new OfdPackageError(
      'ERR_OFD_PARSE',
      `${part} declares a DOCTYPE or entities, which OFD does not use`,
      { entry: part },
    );
  }
  // The parser is lenient by design; well-formedness is checked first so a broken part is refused.
  try {
    SyntaxValidator.validate(text);
  } catch (err) {
    throw new OfdPackageError(
      'ERR_OFD_PARSE',
      `${part} is not well-formed XML: ${(err as Error).message}`,
      {
        entry: part,
        cause: err,
      },
    );
  }
  const doc = parser.parse(text) as XmlNode;
  const found = doc[root];
  // The root itself may be a name that repeats elsewhere (Signature), so it can arrive as a 1-array.
  const node: unknown = Array.isArray(found) && found.length === 1 ? found[0] : found;
  if (node === undefined || node === null || typeof node !== 'object' || Array.isArray(node)) {
    throw new OfdPackageError('ERR_OFD_PARSE', `${part} has no <${root}> root element`, {
      entry: part,
    });
  }
  return node as XmlNode;
}

/** The child element `name` (the first when repeated). */
export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  const v = node?.[name];
  const first: unknown = Array.isArray(v) ? v[0] : v;
  if (first === undefined || first === null) return undefined;
  return typeof first === 'object' ? (first as XmlNode) : { '#text': first };
}

/** Every child element `name`. */
export function children(node: XmlNode | undefined, name: string): XmlNode[] {
  const v = node?.[name];
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map((x: unknown) =>
    typeof x === 'object' && x !== null ? (x as XmlNode) : { '#text': x },
  );
}

/** The text content of an element (empty string when none). */
export function text(node: XmlNode | undefined): string {
  const t = node?.['#text'];
  return typeof t === 'string' ? t.trim() : typeof t === 'number' ? String(t) : '';
}

/** An attribute value. */
export function attr(node: XmlNode | undefined, name: string): string | undefined {
  const v = node?.[`@${name}`];
  return typeof v === 'string' ? v : undefined;
}
