/**
 * PKI benchmark (issue 3): RFC 3161 time stamps and OCSP responses issued per second in-process,
 * each next to the raw signing rate of the same key measured in the same run. The goal is a
 * protocol overhead (parse request, build TSTInfo / ResponseData, CMS, encode) under 30% of the
 * cost of the signature itself.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSigner, digest, importPrivateKey, type Signer } from '../src/crypto/index.js';
import {
  buildOcspRequest,
  buildTimeStampRequest,
  createOcspResponder,
  createTimeStampAuthority,
  parseCertificates,
} from '../src/pki/index.js';
import { fmtRate, measure, printTable, type ComparisonRow, type Measurement } from './harness.js';

const devPki = resolve(dirname(fileURLToPath(import.meta.url)), '../../../certs-dev');

function devSigner(alg: string, name: string): Signer {
  const chain = parseCertificates(readFileSync(join(devPki, alg, `${name}.chain.pem`), 'utf8'));
  const key = importPrivateKey(readFileSync(join(devPki, alg, `${name}.key`), 'utf8'));
  return createSigner(key, { certificateChain: chain.map((c) => c.der) });
}

interface Paired {
  readonly raw: Measurement;
  readonly protocol: Measurement;
  /** Median over rounds of protocol rate / raw rate, each pair measured back to back. */
  readonly ratio: number;
}

/**
 * Measures the raw signature and the protocol operation in alternating short rounds, so that load
 * from other processes on this shared machine hits both alike; the ratio is the median per round.
 */
async function paired(
  name: string,
  raw: () => unknown,
  protocol: () => unknown,
  rounds = 7,
): Promise<Paired> {
  const raws: Measurement[] = [];
  const protos: Measurement[] = [];
  for (let i = 0; i < rounds; i++) {
    raws.push(
      await measure(`${name} raw sign`, raw, {
        rounds: 1,
        roundMs: 300,
        warmupMs: i === 0 ? 300 : 50,
      }),
    );
    protos.push(
      await measure(name, protocol, { rounds: 1, roundMs: 300, warmupMs: i === 0 ? 300 : 50 }),
    );
  }
  const median = (xs: number[]): number =>
    [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const ratios = raws.map((r, i) => protos[i]!.opsPerSec / r.opsPerSec);
  const summary = (ms: Measurement[], label: string): Measurement => {
    const rates = ms.map((m) => m.opsPerSec);
    return {
      name: label,
      opsPerSec: median(rates),
      min: Math.min(...rates),
      max: Math.max(...rates),
      rounds,
    };
  };
  return {
    raw: summary(raws, `${name} raw sign`),
    protocol: summary(protos, name),
    ratio: median(ratios),
  };
}

/** Runs the PKI benchmark and returns the report text and raw figures. */
export async function runPkiBench(): Promise<{
  text: string;
  data: Record<string, Measurement | number>;
}> {
  const data: Record<string, Measurement | number> = {};
  const rows: ComparisonRow[] = [];
  const now = new Date('2026-06-01T08:00:00Z');
  for (const alg of ['rsa', 'p256', 'sm2']) {
    // Time stamps: the TSA's own key signing data of the size of its signed attributes.
    const tsaSigner = devSigner(alg, 'tsa');
    const tsa = createTimeStampAuthority({ signer: tsaSigner, now: () => now });
    const request = buildTimeStampRequest({
      hashAlgorithm: 'sha256',
      digest: digest('sha256', new TextEncoder().encode(alg)),
    }).der;
    const sample = new Uint8Array(await tsa.handleRequest(request));
    // About the size of the signed attributes / ResponseData the protocols sign.
    const tbs = new Uint8Array(220).fill(7);
    const ts = await paired(
      `${alg} time stamps`,
      () => tsaSigner.sign(tbs),
      () => tsa.handleRequest(request),
    );
    data[`${alg}TsaSign`] = ts.raw;
    data[`${alg}Timestamps`] = ts.protocol;
    data[`${alg}TimestampRatio`] = ts.ratio;
    data[`${alg}TimestampBytes`] = sample.length;
    rows.push({
      what: `${alg} time stamps (TimeStampResp)`,
      ours: fmtRate(ts.protocol.opsPerSec),
      baseline: fmtRate(ts.raw.opsPerSec),
      baselineName: 'same key, raw sign',
      ratio: ts.ratio,
    });

    // OCSP: the delegated responder's key signing data of the size of a ResponseData.
    const ocspSigner = devSigner(alg, 'ocsp');
    const issuerChain = parseCertificates(
      readFileSync(join(devPki, alg, 'intermediate.chain.pem'), 'utf8'),
    );
    const leaf = parseCertificates(readFileSync(join(devPki, alg, 'org-a.pem'), 'utf8'))[0]!;
    const responder = createOcspResponder({
      signer: ocspSigner,
      issuers: [issuerChain[0]!],
      lookup: () => ({ status: 'good' }),
      now: () => now,
    });
    const ocspRequest = buildOcspRequest({ certificate: leaf, issuer: issuerChain[0]! }).der;
    const oc = await paired(
      `${alg} OCSP responses`,
      () => ocspSigner.sign(tbs),
      () => responder.handleRequest(ocspRequest),
    );
    data[`${alg}OcspSign`] = oc.raw;
    data[`${alg}OcspResponses`] = oc.protocol;
    data[`${alg}OcspRatio`] = oc.ratio;
    rows.push({
      what: `${alg} OCSP responses (with nonce)`,
      ours: fmtRate(oc.protocol.opsPerSec),
      baseline: fmtRate(oc.raw.opsPerSec),
      baselineName: 'same key, raw sign',
      ratio: oc.ratio,
    });
  }
  const overhead = rows.map(
    (r) =>
      `${r.what}: protocol overhead ${((1 / r.ratio - 1) * 100).toFixed(0)}% of the signing cost`,
  );
  const text = [
    printTable(
      'PKI: protocol rate / raw signing rate of the same key (1.00x = no overhead; goal >= 0.77x, i.e. overhead < 30%)',
      rows,
    ),
    '',
    ...overhead,
  ].join('\n');
  return { text, data };
}
