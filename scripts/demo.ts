/**
 * The quick-start demo: generates a key for every algorithm GovTrust signs with, signs a message,
 * verifies it, and prints a table. Run with `pnpm demo`.
 */
import {
  defaultSignatureAlgorithm,
  generateKeyPair,
  keyGenAlgorithms,
  maxSignatureSize,
  signData,
  verifySignature,
} from '@govtrust/core/crypto';

const message = new TextEncoder().encode('GovTrust 电子印章 / 电子证照 demo message');
const rows: string[][] = [
  [
    'key',
    'algorithm',
    'keygen ms',
    'sign ms',
    'verify ms',
    'sig bytes',
    'verified',
    'tampered rejected',
  ],
];
for (const alg of keyGenAlgorithms) {
  let t = performance.now();
  const { privateKey, publicKey } = generateKeyPair(alg);
  const keygen = performance.now() - t;
  const algorithm = defaultSignatureAlgorithm(privateKey);
  t = performance.now();
  const signature = await signData(privateKey, algorithm, message);
  const sign = performance.now() - t;
  t = performance.now();
  const ok = verifySignature(algorithm, publicKey, message, signature);
  const verify = performance.now() - t;
  const tampered = message.slice();
  tampered[0]! ^= 1;
  const rejected = !verifySignature(algorithm, publicKey, tampered, signature);
  rows.push([
    alg,
    algorithm,
    keygen.toFixed(1),
    sign.toFixed(2),
    verify.toFixed(2),
    `${signature.length}/${maxSignatureSize(algorithm, publicKey)}`,
    ok ? 'yes' : 'NO',
    rejected ? 'yes' : 'NO',
  ]);
  if (!ok || !rejected) process.exitCode = 1;
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const [i, r] of rows.entries()) {
  console.log(r.map((c, j) => c.padEnd(widths[j]!)).join('  '));
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
console.log(
  '\nSM2 signatures use SM3 and the distinguishing ID 1234567812345678 (GB/T 32918.2, GB/T 35276).',
);
