/**
 * Fuzzing verifySealedPdf: seeded mutations of signed PDFs (bit flips, insertions, deletions,
 * truncation, duplicated and transplanted chunks, edited numbers) aimed mostly at the parts a
 * verifier reads (xref, trailers, the signature dictionary, the CMS). Every outcome must be a
 * report or a GovTrustError, within a time bound per file and without unbounded memory.
 * A few hundred runs in CI; `pnpm fuzz` (GOVTRUST_FUZZ_RUNS) for long runs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { GovTrustError } from '../../src/errors/index.js';
import { openPdf, PdfDict, sealPdf, verifySealedPdf, type PdfRef } from '../../src/pdf/index.js';
import { objectToBytes } from '../../src/pdf/serialize.js';
import { createTimeStampAuthority } from '../../src/pki/index.js';
import { DEV_PKI_NOW, devTrustStore, loadDevIdentity } from '../helpers/dev-pki.js';
import { makePdf, redSealPng, withObjectStreams } from './helpers.js';
import { tempDir, hasTool } from '../helpers/tools.js';

const RUNS = Number(process.env.GOVTRUST_FUZZ_RUNS ?? 240);
const SEED = Number(process.env.GOVTRUST_FUZZ_SEED ?? 20260601);
/** Wall-clock bound for one verification of a mutated small file. */
const PER_FILE_MS = 3000;

/** xorshift32: reproducible from the seed printed with any failure. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

type Mutation = (b: Uint8Array, r: () => number) => Uint8Array;

function hotPosition(b: Uint8Array, r: () => number): number {
  // Half the time anywhere; otherwise in the last 6 KiB (signature dictionary, xref, trailer).
  if (r() < 0.5) return Math.floor(r() * b.length);
  const from = Math.max(0, b.length - 6144);
  return from + Math.floor(r() * (b.length - from));
}

const mutations: Record<string, Mutation> = {
  flip: (b, r) => {
    const out = new Uint8Array(b);
    const n = 1 + Math.floor(r() * 8);
    for (let i = 0; i < n; i++) {
      const p = hotPosition(b, r);
      out[p] = out[p]! ^ (1 << Math.floor(r() * 8));
    }
    return out;
  },
  insert: (b, r) => {
    const p = hotPosition(b, r);
    const junk = Buffer.from(
      ['0', ' ', '\n', '<', '>', '/', '[', ']', '(', 'R', '9', '%%EOF', 'xref', 'obj'][
        Math.floor(r() * 14)
      ]!,
      'latin1',
    );
    return new Uint8Array(Buffer.concat([b.subarray(0, p), junk, b.subarray(p)]));
  },
  delete: (b, r) => {
    const p = hotPosition(b, r);
    const n = 1 + Math.floor(r() * 16);
    return new Uint8Array(Buffer.concat([b.subarray(0, p), b.subarray(Math.min(b.length, p + n))]));
  },
  truncate: (b, r) => b.slice(0, Math.floor(b.length * (0.5 + r() / 2))),
  duplicate: (b, r) => {
    const p = hotPosition(b, r);
    const n = 1 + Math.floor(r() * 512);
    const chunk = b.subarray(p, Math.min(b.length, p + n));
    return new Uint8Array(Buffer.concat([b.subarray(0, p), chunk, b.subarray(p)]));
  },
  transplant: (b, r) => {
    const out = new Uint8Array(b);
    const from = Math.floor(r() * b.length);
    const to = hotPosition(b, r);
    const n = Math.min(1 + Math.floor(r() * 64), b.length - from, b.length - to);
    out.set(b.subarray(from, from + n), to);
    return out;
  },
  number: (b, r) => {
    // Change one number of the last 6 KiB (offsets, lengths, ByteRange, xref entries).
    const text = Buffer.from(b).toString('latin1');
    const from = Math.max(0, b.length - 6144);
    const nums = [...text.slice(from).matchAll(/\d+/g)];
    if (nums.length === 0) return b;
    const m = nums[Math.floor(r() * nums.length)]!;
    const at = from + m.index;
    const v = Number(m[0]);
    const next = String(
      [0, v + 1, Math.max(0, v - 1), v * 2, 4294967296, v + 10_000][Math.floor(r() * 6)]!,
    );
    return new Uint8Array(
      Buffer.from(text.slice(0, at) + next + text.slice(at + m[0].length), 'latin1'),
    );
  },
};

describe('fuzzing verifySealedPdf', () => {
  const seeds: { name: string; pdf: Uint8Array }[] = [];

  beforeAll(async () => {
    const now = DEV_PKI_NOW;
    const png = redSealPng(48);
    const place = { page: 1, x: 20, y: 20, width: 25 };
    const plain = await makePdf();
    const rsa = await sealPdf(plain, {
      signer: loadDevIdentity('rsa', 'org-a').signer,
      now,
      appearance: { image: png },
      placement: place,
    });
    const tsa = createTimeStampAuthority({
      signer: loadDevIdentity('sm2', 'tsa').signer,
      now: () => now,
    });
    const twice = await sealPdf(rsa, {
      signer: loadDevIdentity('sm2', 'org-b').signer,
      now,
      tsa: tsa.client(),
    });
    seeds.push({ name: 'rsa', pdf: rsa }, { name: 'rsa+sm2-bt', pdf: twice });
    if (hasTool('qpdf')) {
      const tmp = tempDir('govtrust-fuzz-');
      try {
        const objstm = withObjectStreams(tmp.dir, plain);
        seeds.push({
          name: 'xref-stream',
          pdf: await sealPdf(objstm, { signer: loadDevIdentity('p256', 'org-a').signer, now }),
        });
      } finally {
        tmp.cleanup();
      }
    }
    const fixtures = join(import.meta.dirname, 'fixtures');
    for (const [dir, f] of [
      ['pyhanko', 'pades-lta-dss-indirect-arrs-test.pdf'],
      ['pyhanko', 'form-update-override-appearance-stream.pdf'],
      ['pdf-tester', '1__03_Test_cert_p2_sign_manipulate.pdf'],
    ] as const)
      seeds.push({ name: f, pdf: new Uint8Array(readFileSync(join(fixtures, dir, f))) });
  });

  it(
    `${RUNS} mutations: a report or a GovTrustError, each within ${PER_FILE_MS} ms, memory bounded`,
    async () => {
      const r = rng(SEED);
      const names = Object.keys(mutations);
      const trust = devTrustStore();
      const outcomes = new Map<string, number>();
      const heapBefore = process.memoryUsage().heapUsed;
      let slowest = 0;
      for (let i = 0; i < RUNS; i++) {
        const seed = seeds[Math.floor(r() * seeds.length)]!;
        const kind = names[Math.floor(r() * names.length)]!;
        // One or two mutations stacked.
        let pdf = mutations[kind]!(seed.pdf, r);
        if (r() < 0.3) pdf = mutations[names[Math.floor(r() * names.length)]!]!(pdf, r);
        const label = `run ${i} (seed ${SEED}, ${seed.name}, ${kind})`;
        const t0 = performance.now();
        let outcome: string;
        try {
          const report = await verifySealedPdf(pdf, { trust, now: DEV_PKI_NOW });
          expect(['valid', 'invalid', 'indeterminate'], label).toContain(report.status);
          for (const s of report.signatures) {
            expect(s.errors.length + s.warnings.length, label).toBeLessThan(200);
            // A signature whose bytes changed is never valid.
          }
          outcome = `report:${report.status}`;
        } catch (err) {
          if (!(err instanceof GovTrustError))
            throw new Error(`${label}: ${String(err)}`, { cause: err });
          outcome = err.code;
        }
        const ms = performance.now() - t0;
        slowest = Math.max(slowest, ms);
        expect(ms, label).toBeLessThan(PER_FILE_MS);
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
      // Reports are dropped as we go: the heap must not have grown with the number of runs.
      const grown = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
      expect(grown).toBeLessThan(256);
      // Mutations land on parsing and on verification alike.
      expect([...outcomes.keys()].some((k) => k.startsWith('report:'))).toBe(true);
      expect([...outcomes.keys()].some((k) => k.startsWith('ERR_'))).toBe(true);
    },
    Math.max(60_000, RUNS * 200),
  );

  it('5000 incremental updates after a seal: analysed in bounded time and memory', async () => {
    const sealed = seeds[0]!.pdf;
    const doc = openPdf(sealed);
    const info = doc.trailer.get('Info') as PdfRef;
    const trailer = new PdfDict(doc.trailer.entries());
    const parts: Buffer[] = [Buffer.from(sealed)];
    let length = sealed.length;
    let prev = doc.startxref;
    for (let i = 0; i < 5000; i++) {
      // Each update rewrites /Info (allowed): the work is in the number of revisions.
      const body = `${info.num} 0 obj\n<< /Producer (update ${i}) >>\nendobj\n`;
      trailer.set('Prev', prev);
      const t = Buffer.from(objectToBytes(trailer)).toString('latin1');
      const xrefAt = length + body.length;
      const text = `${body}xref\n0 1\n0000000000 65535 f \n${info.num} 1\n${String(length).padStart(10, '0')} 00000 n \ntrailer\n${t}\nstartxref\n${xrefAt}\n%%EOF\n`;
      parts.push(Buffer.from(text, 'latin1'));
      length += text.length;
      prev = xrefAt;
    }
    const heap = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const report = await verifySealedPdf(new Uint8Array(Buffer.concat(parts)), {
      trust: devTrustStore(),
      now: DEV_PKI_NOW,
    });
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect((process.memoryUsage().heapUsed - heap) / 1024 / 1024).toBeLessThan(400);
    expect(report.file.revisions).toBe(5002);
    expect(report.signatures[0]).toMatchObject({ intact: true, modifications: 'allowed' });
  });

  it('a mutation inside the signed bytes of a sealed file is never valid', async () => {
    const r = rng(SEED + 1);
    const seed = seeds[0]!.pdf;
    const trust = devTrustStore();
    // The signed bytes: [0, b) and [c, end). (The gap holds the CMS, whose certificate bag is not
    // signed: a changed copy of the root certificate there changes nothing that is verified.)
    const text = Buffer.from(seed).toString('latin1');
    const m = /\/ByteRange \[(\d+) (\d+) (\d+) (\d+)\]/.exec(text)!;
    const b = Number(m[2]);
    const c = Number(m[3]);
    for (let i = 0; i < 60; i++) {
      const out = new Uint8Array(seed);
      const p = r() < 0.8 ? Math.floor(r() * b) : c + Math.floor(r() * (seed.length - c));
      out[p] = out[p]! ^ (1 << Math.floor(r() * 8));
      try {
        const report = await verifySealedPdf(out, { trust, now: DEV_PKI_NOW });
        expect(report.status, `flip at ${p}`).not.toBe('valid');
      } catch (err) {
        expect(err, `flip at ${p}`).toBeInstanceOf(GovTrustError);
      }
    }
  });
});
