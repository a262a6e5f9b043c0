/**
 * Licence issuing and verifying throughput (issue 7 closing note): licences issued per second
 * (data signed + face rendered + face sealed, P-256 and SM2) and face PDFs verified per second,
 * each next to the raw sealing rate of a 1-page PDF with the same signer measured in the same run.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { createSigner, importPrivateKey, type Signer } from '../src/crypto/index.js';
import {
  issueLicence,
  parseLicenceType,
  type LicenceData,
  type LicenceStatusInfo,
} from '../src/licence/index.js';
import { verifyLicence } from '../src/licence/verify.js';
import { sealPdf } from '../src/pdf/index.js';
import { createTrustStore } from '../src/pki/index.js';
import { drawSeal } from '../src/seal/index.js';
import { fmtRate, measure, type ComparisonRow } from './harness.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const NOW = new Date('2026-06-01T08:00:00Z');

function devSigner(alg: 'p256' | 'sm2'): Signer {
  const dir = join(root, 'certs-dev', alg);
  return createSigner(importPrivateKey(readFileSync(join(dir, 'licence-issuer.key'), 'utf8')), {
    certificateChain: readFileSync(join(dir, 'licence-issuer.chain.pem'), 'utf8'),
  });
}

async function onePagePdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([841.89, 595.28]);
  for (let l = 0; l < 30; l++)
    page.drawText(`Licence benchmark line ${l + 1}`, { x: 50, y: 560 - l * 17, size: 11, font });
  return doc.save({ useObjectStreams: false });
}

/** Rows: issue/s and verify/s per algorithm, with the 1-page raw sealing rate as baseline. */
export async function issueRows(data: Record<string, unknown>): Promise<ComparisonRow[]> {
  const type = parseLicenceType(
    JSON.parse(readFileSync(join(root, 'samples/licence-types/business-licence.json'), 'utf8')),
  );
  const sample = JSON.parse(
    readFileSync(join(root, 'samples/licences/business-licence.json'), 'utf8'),
  ) as LicenceData;
  const pdf = await onePagePdf();
  const drawing = drawSeal({ shape: 'round', text: sample.issuer.name, sizeMm: 40 });
  const rows: ComparisonRow[] = [];
  const opts = { roundMs: 1500, rounds: 3, warmupMs: 500 };
  // A status source that answers at once: the figure is the verification work, not a database.
  const statusSource = {
    status: (): Promise<LicenceStatusInfo> =>
      Promise.resolve({ found: true, status: 'valid', source: 'bench' }),
  };
  for (const alg of ['p256', 'sm2'] as const) {
    const issuer = devSigner(alg);
    const trust = createTrustStore([readFileSync(join(root, 'certs-dev', alg, 'root.pem'))]);
    const seal = await measure(
      `seal 1-page PDF (${alg})`,
      () =>
        sealPdf(pdf, {
          signer: issuer,
          now: NOW,
          appearance: { drawing },
          placement: { page: 1, x: 200, y: 120, width: 40 },
        }),
      opts,
    );
    let face: Uint8Array | undefined;
    const issue = await measure(
      `issue licence (${alg})`,
      async () => {
        const issued = await issueLicence(sample, {
          issuer,
          type,
          now: NOW,
          verificationUrl: 'https://zwfw.example.gov.cn/v1/licences/verify',
        });
        face = issued.face;
      },
      opts,
    );
    const verify = await measure(
      `verify licence face (${alg})`,
      async () => {
        const r = await verifyLicence(face!, { trust, now: NOW, types: [type], statusSource });
        if (r.status !== 'valid')
          throw new Error(`bench face did not verify: ${r.errors[0]?.code}`);
      },
      opts,
    );
    data[`issue-${alg}`] = { seal, issue, verify, faceBytes: face?.length };
    rows.push(
      {
        what: `issue a licence, ${alg} (data CMS + face render + font subset + seal)`,
        ours: fmtRate(issue.opsPerSec, 'licences/s'),
        baseline: fmtRate(seal.opsPerSec, 'seals/s'),
        baselineName: `sealPdf of a 1-page PDF, ${alg}`,
        ratio: issue.opsPerSec / seal.opsPerSec,
      },
      {
        what: `verify a licence face, ${alg} (seal, paths, data CMS, text + QR)`,
        ours: fmtRate(verify.opsPerSec, 'licences/s'),
        baseline: fmtRate(seal.opsPerSec, 'seals/s'),
        baselineName: `sealPdf of a 1-page PDF, ${alg}`,
        ratio: verify.opsPerSec / seal.opsPerSec,
      },
    );
  }
  return rows;
}
