/** Test helpers of the verifier: a PDF sealed twice by the server's seal service, and a tampered copy. */
import { makeDemoPdf } from '../src/index.js';
import type { TestServer } from './helpers.js';

/** A sealed sample: the PDF and the names of its two seals. */
export interface SealedSample {
  readonly pdf: Uint8Array;
  readonly sealNames: readonly string[];
}

/** Seals a two-page demo PDF with two server seals (B-T, one after the other). */
export async function makeSealedSample(t: TestServer): Promise<SealedSample> {
  const names = ['示例市人民政府办公室', '示例市行政审批局'];
  const user = await t.newApp('核验页测试');
  let pdf = makeDemoPdf({ pages: 2, title: 'Verifier sample' });
  for (const [i, name] of names.entries()) {
    const seal = await t.admin.createSeal({ name, organisation: { name } });
    await t.admin.createGrant(seal.id, { appId: user.appId });
    pdf = (
      await user.client.sealPdf({
        sealId: seal.id,
        pdf,
        positions: [{ type: 'page', page: 2, x: 20 + i * 80, y: 150 }],
        level: 'B-T',
        reason: '同意',
      })
    ).pdf;
  }
  return { pdf, sealNames: names };
}

/** The sample with one byte of the signed page text changed ("Page 1 of" -> "Page 7 of"). */
export function tamper(pdf: Uint8Array): Uint8Array {
  const buf = Buffer.from(pdf);
  const at = buf.indexOf('Page 1 of', 0, 'latin1');
  if (at < 0) throw new Error('the sample has no page text to change');
  const out = Buffer.from(buf);
  out[at + 5] = 0x37;
  return new Uint8Array(out);
}
