/** Test helpers for sealed PDFs: pdfsig with an NSS database trusting a dev root, and the raw signatures (ByteRange + CMS) of a file. */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createHasher, type HashAlgorithm } from '@govtrust/core/crypto';

const execFileAsync = promisify(execFile);

/** Runs a tool without blocking the event loop (the server under test runs in this process). */
export async function tool(
  cmd: string,
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await execFileAsync(cmd, [...args], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === 'number' ? e.code : 1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? '',
    };
  }
}

/** An NSS database trusting `rootPem` (for pdfsig -nssdir). */
export async function makeNssDb(dir: string, rootPemPath: string): Promise<string> {
  const db = join(dir, 'nss');
  mkdirSync(db, { recursive: true });
  await tool('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']);
  const r = await tool('certutil', [
    '-A',
    '-d',
    `sql:${db}`,
    '-n',
    'govtrust-dev-root',
    '-t',
    'CT,C,C',
    '-i',
    rootPemPath,
  ]);
  if (r.code !== 0) throw new Error(r.stderr);
  return `sql:${db}`;
}

/** pdfsig's verdict per signature. */
export interface PdfsigResult {
  readonly field: string;
  readonly valid: boolean;
  readonly verdict: string;
  readonly trusted: boolean;
  readonly certificate: string;
  readonly total: boolean;
}

/** Runs pdfsig (no OCSP fetch) on a PDF given as bytes. */
export async function pdfsig(
  nssdb: string,
  dir: string,
  pdf: Uint8Array,
  name = 'check.pdf',
): Promise<PdfsigResult[]> {
  const file = join(dir, name);
  writeFileSync(file, pdf);
  const r = await tool('pdfsig', ['-no-ocsp', '-nssdir', nssdb, file]);
  return r.stdout
    .split(/^Signature #\d+:$/m)
    .slice(1)
    .map((b) => ({
      field: /Signature Field Name: (.*)/.exec(b)?.[1] ?? '',
      valid: /Signature Validation: Signature is Valid\./.test(b),
      verdict: (/Signature Validation: (.*)/.exec(b)?.[1] ?? '').trim(),
      trusted: /Certificate Validation: Certificate is Trusted\./.test(b),
      certificate: (/Certificate Validation: (.*)/.exec(b)?.[1] ?? '').trim(),
      total: /Total document signed/.test(b) && !/Not total document signed/.test(b),
    }));
}

/** One signature of a PDF: its ByteRange, the CMS in /Contents and the digest of the covered bytes. */
export interface RawSignature {
  readonly byteRange: readonly [number, number, number, number];
  readonly cms: Uint8Array;
  digest(alg: HashAlgorithm): Uint8Array;
}

/** Finds every /ByteRange ... /Contents <hex> pair (test use only: the files are our own output). */
export function rawSignatures(pdf: Uint8Array): RawSignature[] {
  const text = Buffer.from(pdf).toString('latin1');
  const out: RawSignature[] = [];
  const re = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const br = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])] as const;
    const hex = text.slice(br[1] + 1, br[2] - 1);
    let cms = Buffer.from(hex, 'hex');
    // The CMS is zero-padded: cut at the DER length of the outer SEQUENCE.
    const len =
      cms[1]! & 0x80
        ? cms.subarray(2, 2 + (cms[1]! & 0x7f)).reduce((a, b) => a * 256 + b, 0) +
          2 +
          (cms[1]! & 0x7f)
        : cms[1]! + 2;
    cms = cms.subarray(0, len);
    out.push({
      byteRange: br,
      cms: new Uint8Array(cms),
      digest(alg) {
        const h = createHasher(alg);
        h.update(pdf.subarray(br[0], br[0] + br[1]));
        h.update(pdf.subarray(br[2], br[2] + br[3]));
        return new Uint8Array(h.digest());
      },
    });
  }
  return out;
}
