/**
 * Crypto benchmark (issue: foundation): sign/verify per algorithm, SM3 and SHA-256 throughput, next
 * to baselines measured in the same run: node-forge RSA-2048, sm-crypto-v2 SM2 ({hash: true,
 * der: true}) and OpenSSL's native `openssl speed sm2`.
 */
import { execFileSync } from 'node:child_process';
import forge from 'node-forge';
import { sm2 as smv2 } from 'sm-crypto-v2';
import {
  defaultSignatureAlgorithm,
  digest,
  generateKeyPair,
  signData,
  verifySignature,
  type KeyGenAlgorithm,
} from '../src/crypto/index.js';
import { fmtRate, measure, printTable, type ComparisonRow, type Measurement } from './harness.js';

function opensslSpeedSm2(): { sign: number; verify: number } | null {
  try {
    const out = execFileSync('openssl', ['speed', '-seconds', '2', 'sm2'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const m = /SM2 \(CurveSM2\)\s+\S+s\s+\S+s\s+([\d.]+)\s+([\d.]+)/.exec(out);
    return m ? { sign: Number(m[1]), verify: Number(m[2]) } : null;
  } catch {
    return null;
  }
}

/** Runs the crypto benchmark and returns the report text and raw figures. */
export async function runCryptoBench(): Promise<{
  text: string;
  data: Record<string, Measurement | number | null>;
}> {
  const msg = new TextEncoder().encode('x'.repeat(256)); // about the size of CMS signed attributes
  const data: Record<string, Measurement | number | null> = {};
  const rows: ComparisonRow[] = [];

  // Baselines first, each measured in this same run.
  const rsa = generateKeyPair('rsa2048');
  const forgeKey = forge.pki.privateKeyFromPem(rsa.privateKey.toPem());
  const forgeSign = await measure(
    'node-forge RSA-2048 sign',
    () => {
      const md = forge.md.sha256.create();
      md.update(forge.util.binary.raw.encode(msg));
      forgeKey.sign(md);
    },
    { roundMs: 1000, rounds: 3 },
  );
  const smKeys = smv2.generateKeyPairHex();
  const smSign = await measure('sm-crypto-v2 SM2 sign', () =>
    smv2.doSignature(msg, smKeys.privateKey, { hash: true, der: true }),
  );
  const smSig = smv2.doSignature(msg, smKeys.privateKey, { hash: true, der: true });
  const smVerify = await measure('sm-crypto-v2 SM2 verify', () =>
    smv2.doVerifySignature(msg, smSig, smKeys.publicKey, { hash: true, der: true }),
  );
  const native = opensslSpeedSm2();
  data.forgeRsaSign = forgeSign;
  data.smCryptoV2Sign = smSign;
  data.smCryptoV2Verify = smVerify;
  data.opensslSm2Sign = native?.sign ?? null;
  data.opensslSm2Verify = native?.verify ?? null;

  const table: [string, string, string, string][] = [['key', 'algorithm', 'sign/s', 'verify/s']];
  for (const alg of ['rsa2048', 'rsa3072', 'p256', 'p384', 'ed25519', 'sm2'] as KeyGenAlgorithm[]) {
    const { privateKey, publicKey } = alg === 'rsa2048' ? rsa : generateKeyPair(alg);
    const algorithm = defaultSignatureAlgorithm(privateKey);
    const sig = await signData(privateKey, algorithm, msg);
    const s = await measure(`${alg} sign`, () => signData(privateKey, algorithm, msg));
    const v = await measure(`${alg} verify`, () => verifySignature(algorithm, publicKey, msg, sig));
    data[`${alg}Sign`] = s;
    data[`${alg}Verify`] = v;
    table.push([alg, algorithm, fmtRate(s.opsPerSec), fmtRate(v.opsPerSec)]);
    if (alg === 'rsa2048') {
      rows.push({
        what: 'RSA-2048 sign',
        ours: fmtRate(s.opsPerSec),
        baseline: fmtRate(forgeSign.opsPerSec),
        baselineName: 'node-forge',
        ratio: s.opsPerSec / forgeSign.opsPerSec,
      });
    }
    if (alg === 'sm2') {
      rows.push({
        what: 'SM2 sign',
        ours: fmtRate(s.opsPerSec),
        baseline: fmtRate(smSign.opsPerSec),
        baselineName: 'sm-crypto-v2',
        ratio: s.opsPerSec / smSign.opsPerSec,
      });
      rows.push({
        what: 'SM2 verify',
        ours: fmtRate(v.opsPerSec),
        baseline: fmtRate(smVerify.opsPerSec),
        baselineName: 'sm-crypto-v2',
        ratio: v.opsPerSec / smVerify.opsPerSec,
      });
      if (native !== null) {
        rows.push({
          what: 'SM2 sign',
          ours: fmtRate(s.opsPerSec),
          baseline: fmtRate(native.sign),
          baselineName: 'openssl speed sm2',
          ratio: s.opsPerSec / native.sign,
        });
        rows.push({
          what: 'SM2 verify',
          ours: fmtRate(v.opsPerSec),
          baseline: fmtRate(native.verify),
          baselineName: 'openssl speed sm2',
          ratio: v.opsPerSec / native.verify,
        });
      }
    }
  }

  const big = new Uint8Array(16 * 1024 * 1024);
  const mb = big.length / 1e6;
  const sha = await measure('sha256 16 MiB', () => digest('sha256', big), {
    roundMs: 800,
    rounds: 3,
  });
  const sm3 = await measure('sm3 16 MiB', () => digest('sm3', big), { roundMs: 800, rounds: 3 });
  const forgeBuf = forge.util.createBuffer(
    Buffer.from(big.subarray(0, 1024 * 1024)).toString('binary'),
  );
  const forgeSha = await measure(
    'node-forge sha256 1 MiB',
    () => forge.md.sha256.create().update(forgeBuf.bytes()).digest(),
    { roundMs: 800, rounds: 3 },
  );
  data.sha256MBps = sha.opsPerSec * mb;
  data.sm3MBps = sm3.opsPerSec * mb;
  rows.push({
    what: 'SHA-256 throughput',
    ours: fmtRate(sha.opsPerSec * mb, 'MB/s'),
    baseline: fmtRate(forgeSha.opsPerSec * 1.048576, 'MB/s'),
    baselineName: 'node-forge sha256',
    ratio: (sha.opsPerSec * mb) / (forgeSha.opsPerSec * 1.048576),
  });
  rows.push({
    what: 'SM3 throughput',
    ours: fmtRate(sm3.opsPerSec * mb, 'MB/s'),
    baseline: fmtRate(sha.opsPerSec * mb, 'MB/s'),
    baselineName: 'our SHA-256',
    ratio: sm3.opsPerSec / sha.opsPerSec,
  });

  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  const tableText = table.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n');
  return {
    text: `\n## Crypto: operations per second (256-byte message)\n${tableText}${printTable('Crypto against baselines measured in this run', rows)}`,
    data,
  };
}
