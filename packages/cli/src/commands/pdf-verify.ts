/** `govtrust pdf verify`: validate every signature and seal of a PDF (DESIGN.md section 4 report; exit 0 valid, 1 not valid, 2 unusable). @module */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { decodeCertificateChain } from '@govtrust/core/crypto';
import { describeErrorCode } from '@govtrust/core/errors';
import {
  verifySealedPdf,
  type PdfSignatureReport,
  type PdfVerificationReport,
  type PdfVerificationStatus,
} from '@govtrust/core/pdf';
import {
  createCompositeRevocationSource,
  createCrlRevocationSource,
  createOcspRevocationSource,
  createTrustStore,
  type RevocationSource,
} from '@govtrust/core/pki';
import { ExitCode, UsageError, type CliIo } from '../io.js';
import { readInput } from '../files.js';

interface PdfVerifyFlags {
  trust: string[];
  intermediate: string[];
  json?: boolean;
  at?: string;
  offline?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

const STATUS: Record<PdfVerificationStatus, string> = {
  valid: '有效 valid',
  invalid: '无效 invalid',
  indeterminate: '无法确定 indeterminate',
};

const COVERAGE: Record<PdfSignatureReport['coverage'], string> = {
  'entire-file': 'covers the whole file 覆盖全文',
  'entire-revision': 'covers its revision 覆盖所签版本',
  partial: 'covers only part of the file 仅覆盖部分',
};

const MODIFICATIONS: Record<PdfSignatureReport['modifications'], string> = {
  none: 'no changes after signing 签后无修改',
  allowed: 'only permitted changes after signing 签后仅有允许的修改',
  disallowed: 'changed after signing 签后被篡改',
};

/** Terminal columns a string takes: CJK characters take two. */
function displayWidth(text: string): number {
  let w = 0;
  for (const ch of text)
    w +=
      /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(
        ch,
      )
        ? 2
        : 1;
  return w;
}

/** The online revocation sources: OCSP from each certificate's AIA, then its CRL distribution points. */
function onlineRevocation(): RevocationSource {
  return createCompositeRevocationSource([
    createOcspRevocationSource({ timeoutMs: 5000 }),
    createCrlRevocationSource({ fetchDistributionPoints: true, timeoutMs: 5000 }),
  ]);
}

/** The human report: a short block per signature. */
export function formatPdfReport(file: string, report: PdfVerificationReport): string {
  const lines: string[] = [];
  lines.push(`${file}: ${STATUS[report.status]}`);
  lines.push(
    `  ${report.file.size} bytes, ${report.file.revisions} revision(s), sha256 ${report.file.sha256}`,
  );
  if (report.signatures.length === 0) lines.push('  no signature found 未发现签名');
  report.signatures.forEach((s, i) => {
    lines.push('');
    const kind =
      s.subFilter === 'ETSI.RFC3161' ? 'document time-stamp 文档时间戳' : 'signature 签名';
    lines.push(
      `#${i + 1} ${s.field === '' ? '(no field)' : s.field}  ${kind}, revision ${s.revision}${s.subFilter ? `, ${s.subFilter}` : ''}${s.level ? `, ${s.level}` : ''}`,
    );
    const row = (label: string, value: string): void => {
      lines.push(`   ${label}${' '.repeat(Math.max(1, 16 - displayWidth(label)))}${value}`);
    };
    row(
      '印章 Seal',
      s.seal === null
        ? '—'
        : `${s.seal.name} (${s.seal.esID}, ${s.seal.valid ? 'valid' : 'not valid'} ${s.seal.validFrom.slice(0, 10)}..${s.seal.validTo.slice(0, 10)})`,
    );
    row(
      '签署人 Signer',
      s.signer === null
        ? '—'
        : `${s.signer.subject}${s.trusted ? ' (trusted 可信)' : ' (not trusted 不可信)'}`,
    );
    const stamp =
      s.timestamp === null
        ? ''
        : `; time-stamp ${s.timestamp.time}${s.timestamp.valid ? '' : ' (not valid or not trusted)'}`;
    row('时间 Time', `${s.signingTime ?? '—'}${stamp}`);
    row(
      '状态 Status',
      `${STATUS[s.status]}: ${s.intact ? 'intact 完整' : 'NOT intact 不完整'}, ${COVERAGE[s.coverage]}, ${MODIFICATIONS[s.modifications]}`,
    );
    const reason = (kind2: string, e: { code: string; message: string }): string =>
      `${kind2} ${e.code} ${describeErrorCode(e.code, 'zh') ?? ''}: ${e.message}`;
    const reasons = [
      ...s.errors.map((e) => reason('✗', e)),
      ...s.warnings.map((w) => reason('!', w)),
    ];
    if (reasons.length === 0) row('原因 Reasons', '—');
    reasons.forEach((r, k) => {
      row(k === 0 ? '原因 Reasons' : '', r);
    });
  });
  return `${lines.join('\n')}\n`;
}

/** Registers `pdf verify` under the existing `pdf` command. */
export function registerPdfVerifyCommand(
  program: Command,
  io: CliIo,
  setExit: (code: number) => void,
): void {
  const pdf =
    program.commands.find((c) => c.name() === 'pdf') ??
    program.command('pdf').description('seal and verify PDF documents (PAdES)');
  pdf
    .command('verify')
    .description(
      'verify every signature, seal and document time-stamp of a PDF: integrity, coverage,\n' +
        'changes after signing, trust, time (exit 0 valid, 1 invalid or indeterminate, 2 unusable input)',
    )
    .argument('<file>', 'the PDF')
    .option('--trust <pem>', 'trust anchor certificates (PEM; repeatable)', collect, [])
    .option(
      '--intermediate <pem>',
      'issuing CA certificates the PDF does not carry, e.g. a seal maker’s CA (PEM; repeatable)',
      collect,
      [],
    )
    .option('--json', 'print the report as JSON (DESIGN.md section 4)')
    .option('--at <time>', 'validation time (ISO 8601; default now)')
    .option('--offline', 'no OCSP or CRL downloads: use only revocation data embedded in the PDF')
    .action(async (file: string, flags: PdfVerifyFlags) => {
      let now: Date | undefined;
      if (flags.at !== undefined) {
        now = new Date(flags.at);
        if (Number.isNaN(now.getTime()))
          throw new UsageError('--at must be an ISO 8601 time, e.g. 2026-06-01T08:00:00Z');
      }
      const trust =
        flags.trust.length === 0
          ? undefined
          : createTrustStore(flags.trust.map((f) => readFileSync(f)));
      const intermediates = flags.intermediate.flatMap((f) => decodeCertificateChain(readInput(f)));
      const report = await verifySealedPdf(readInput(file), {
        ...(trust === undefined ? {} : { trust }),
        ...(intermediates.length === 0 ? {} : { intermediates }),
        ...(now === undefined ? {} : { now }),
        ...(flags.offline === true ? {} : { revocation: onlineRevocation() }),
      });
      io.stdout(
        flags.json === true
          ? `${JSON.stringify(report, null, 2)}\n`
          : formatPdfReport(file, report),
      );
      setExit(report.status === 'valid' ? ExitCode.ok : ExitCode.verdict);
    });
}
