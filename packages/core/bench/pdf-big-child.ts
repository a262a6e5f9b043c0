/**
 * One large-file seal in a fresh process, so its peak RSS belongs to that operation alone:
 * `pdf-big-child.ts <ours|signpdf|hashcopy> <pdf> <dir with key.pem, cert.pem, id.p12> <warm-up pdf>`.
 * Prints JSON: { ms, rssBefore, peakRss, outBytes }.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { P12Signer } from '@signpdf/signer-p12';
import { SignPdf } from '@signpdf/signpdf';

// @signpdf's default export is an instance; build one from its class (CommonJS interop).
const signpdf = new SignPdf();
import { createSigner, importPrivateKey } from '../src/crypto/index.js';
import { sealPdf } from '../src/pdf/index.js';

const [mode, file, dir, warm] = process.argv.slice(2) as [string, string, string, string];
const key = importPrivateKey(readFileSync(join(dir, 'key.pem'), 'utf8'));
const signer = createSigner(key, { certificateChain: readFileSync(join(dir, 'cert.pem'), 'utf8') });
const p12 = readFileSync(join(dir, 'id.p12'));

async function op(pdf: Buffer): Promise<number> {
  if (mode === 'ours') return (await sealPdf(pdf, { signer, reason: 'bench' })).length;
  if (mode === 'signpdf') {
    const withPlaceholder = plainAddPlaceholder({
      pdfBuffer: pdf,
      reason: 'bench',
      contactInfo: '',
      name: 'bench',
      location: '',
    });
    return (await signpdf.sign(withPlaceholder, new P12Signer(p12, { passphrase: 'bench' })))
      .length;
  }
  // The floor: copy the file once and SHA-256 it.
  const out = Buffer.allocUnsafe(pdf.length);
  out.set(pdf);
  createHash('sha256').update(out).digest();
  return out.length;
}

await op(readFileSync(warm));
const pdf = readFileSync(file);
(globalThis as { gc?: () => void }).gc?.();
const rssBefore = process.memoryUsage().rss;
const t0 = performance.now();
const outBytes = await op(pdf);
const ms = performance.now() - t0;
const peakRss = process.resourceUsage().maxRSS * 1024;
process.stdout.write(JSON.stringify({ ms, rssBefore, peakRss, outBytes }));
