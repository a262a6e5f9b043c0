/** PEM (RFC 7468) encoding and decoding. @module */

/** One PEM block. */
export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
}

const PEM_RE = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** Every PEM block in `text`, in order. Headers (RFC 1421 `Proc-Type:`) are not supported. */
export function decodePemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  for (const m of text.matchAll(PEM_RE)) {
    const body = m[2]!.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body))
      throw new RangeError(`Invalid base64 in PEM block ${m[1]!}`);
    out.push({ label: m[1]!, der: new Uint8Array(Buffer.from(body, 'base64')) });
  }
  return out;
}

/** True when the bytes look like PEM text rather than DER. */
export function looksLikePem(input: Uint8Array | string): boolean {
  if (typeof input === 'string') return input.includes('-----BEGIN ');
  // DER always starts with a tag byte such as 0x30; PEM starts with text.
  const head = Buffer.from(input.subarray(0, Math.min(input.length, 4096))).toString('latin1');
  return head.includes('-----BEGIN ');
}

/** PEM text of `der` under `label`, 64 columns per line. */
export function encodePem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Text of a PEM input given as bytes or string. */
export function pemText(input: Uint8Array | string): string {
  return typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
}
