/** `govtrust pdf seal`: apply a PAdES seal (B-B or B-T), optionally bound to a GB/T 38540 seal file, or a GB/T 38540 SES_Signature (compatibility mode), to a PDF as an incremental update. @module */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  createSigner,
  decodeCertificateChain,
  importPkcs12,
  importPrivateKey,
  type Signer,
} from '@govtrust/core/crypto';
import { sealPdf, type PdfSealPlacement, type SealPdfOptions } from '@govtrust/core/pdf';
import { createHttpTsaClient } from '@govtrust/core/pki';
import { drawSeal, type SealShape } from '@govtrust/core/seal';
import { ExitCode, UsageError, type CliIo } from '../io.js';
import { readInput, readPasswordFile, writeOutput } from '../files.js';

interface PdfSealFlags {
  in: string;
  out: string;
  force?: boolean;
  key?: string;
  cert?: string;
  chain?: string;
  p12?: string;
  password?: string;
  passwordFile?: string;
  image?: string;
  generate?: string;
  text?: string;
  page?: string;
  x?: string;
  y?: string;
  size?: string;
  keyword?: string;
  occurrence?: string;
  offsetX?: string;
  offsetY?: string;
  riding?: boolean;
  pages?: string;
  tsa?: string;
  level?: string;
  certify?: string;
  allowVisibleAfterCertification?: boolean;
  reason?: string;
  location?: string;
  contact?: string;
  field?: string;
  time?: string;
  seal?: string;
  format?: string;
}

function num(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+(\.\d+)?$/.test(value)) throw new UsageError(`${flag} must be a number`);
  return Number(value);
}

function int(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} must be a positive integer`);
  return Number(value);
}

function loadSigner(flags: PdfSealFlags): Signer {
  const password =
    flags.passwordFile !== undefined ? readPasswordFile(flags.passwordFile) : flags.password;
  if (flags.p12 !== undefined) {
    if (flags.key !== undefined || flags.cert !== undefined)
      throw new UsageError('give either --p12 or --key with --cert, not both');
    const p12 = importPkcs12(readInput(flags.p12), password ?? '');
    const extra = flags.chain === undefined ? [] : decodeCertificateChain(readInput(flags.chain));
    return createSigner(p12.privateKey, { certificateChain: [...p12.certificates, ...extra] });
  }
  if (flags.key === undefined || flags.cert === undefined)
    throw new UsageError('give --key and --cert (or --p12)');
  const key = importPrivateKey(
    readFileSync(flags.key),
    ...(password === undefined ? [] : [{ password }]),
  );
  const chain = [
    ...decodeCertificateChain(readInput(flags.cert)),
    ...(flags.chain === undefined ? [] : decodeCertificateChain(readInput(flags.chain))),
  ];
  return createSigner(key, { certificateChain: chain });
}

function placementOf(flags: PdfSealFlags): PdfSealPlacement | undefined {
  const size = num(flags.size, '--size');
  const modes = [flags.keyword !== undefined, flags.riding === true, flags.page !== undefined];
  if (modes.filter(Boolean).length > 1)
    throw new UsageError('choose one of --page/--x/--y, --keyword, --riding');
  if (flags.keyword !== undefined)
    return {
      keyword: flags.keyword,
      ...(flags.occurrence === undefined
        ? {}
        : { occurrence: int(flags.occurrence, '--occurrence')! }),
      ...(flags.offsetX === undefined ? {} : { offsetX: num(flags.offsetX, '--offset-x')! }),
      ...(flags.offsetY === undefined ? {} : { offsetY: num(flags.offsetY, '--offset-y')! }),
      ...(size === undefined ? {} : { width: size }),
    };
  if (flags.riding === true) {
    let pages: [number, number] | undefined;
    if (flags.pages !== undefined) {
      const m = /^(\d+)-(\d+)$/.exec(flags.pages);
      if (!m) throw new UsageError('--pages must look like N-M, e.g. 1-5');
      pages = [Number(m[1]), Number(m[2])];
    }
    return {
      riding: {
        ...(pages === undefined ? {} : { pages }),
        ...(size === undefined ? {} : { width: size }),
      },
    };
  }
  if (flags.page !== undefined || flags.x !== undefined || flags.y !== undefined) {
    if (flags.page === undefined || flags.x === undefined || flags.y === undefined)
      throw new UsageError('--page, --x and --y go together');
    return {
      page: int(flags.page, '--page')!,
      x: num(flags.x, '--x')!,
      y: num(flags.y, '--y')!,
      ...(size === undefined ? {} : { width: size }),
    };
  }
  return undefined;
}

/** Registers `pdf seal`. */
export function registerPdfCommands(
  program: Command,
  io: CliIo,
  setExit: (code: number) => void,
): void {
  const pdf = program.command('pdf').description('seal PDF documents (PAdES, GB/T 38540 seals)');
  pdf
    .command('seal')
    .description(
      'apply a seal as a PAdES signature in an incremental update (earlier signatures stay valid).\n' +
        'Placement: --x/--y are millimetres from the top-left corner of the page as displayed\n' +
        '(after /Rotate, inside the CropBox) to the top-left corner of the seal; --size is its width.',
    )
    .requiredOption('--in <file>', 'input PDF')
    .requiredOption('--out <file>', 'output PDF (written only if sealing succeeds)')
    .option('--force', 'overwrite --out')
    .option('--key <file>', 'private key (PEM or DER PKCS#8)')
    .option('--cert <file>', 'signer certificate (PEM, may hold the chain too)')
    .option('--chain <file>', 'issuer certificates (PEM)')
    .option('--p12 <file>', 'PKCS#12 with key and certificates (instead of --key/--cert)')
    .option('--password <password>', 'password of --p12 or an encrypted --key')
    .option('--password-file <file>', 'read the password from a file instead')
    .option('--image <file>', 'seal picture: PNG (transparency kept) or JPEG')
    .option('--generate <shape>', 'draw the seal picture: round | oval | square')
    .option('--text <text>', 'organisation name for --generate')
    .option('--page <n>', 'page number (1-based)')
    .option('--x <mm>', 'distance from the left edge, mm')
    .option('--y <mm>', 'distance from the top edge, mm')
    .option('--size <mm>', 'seal width in mm (default 42, or the drawing size)')
    .option('--keyword <text>', 'centre the seal on this text, e.g. 盖章处')
    .option('--occurrence <n>', 'which occurrence of --keyword (default 1)')
    .option('--offset-x <mm>', 'shift from the keyword, right')
    .option('--offset-y <mm>', 'shift from the keyword, down')
    .option('--riding', 'riding seal (骑缝章) across the right edge of several pages')
    .option('--pages <N-M>', 'page range of --riding (default: all)')
    .option('--tsa <url>', 'RFC 3161 time-stamp authority (level B-T)')
    .option('--level <level>', 'B-B or B-T (default: B-T with --tsa, else B-B)')
    .option('--certify <p>', 'certification signature with DocMDP permission 1, 2 or 3')
    .option(
      '--allow-visible-after-certification',
      'allow a visible seal on a certified document (strict verifiers reject it; default: refused)',
    )
    .option('--reason <text>', 'reason for signing')
    .option('--location <text>', 'location of signing')
    .option('--contact <text>', 'contact information')
    .option('--field <name>', 'name of the new signature field')
    .option('--time <iso>', 'signing time written in /M (default: now)')
    .option(
      '--seal <file>',
      'GB/T 38540 seal file (.esl, DER) to bind: carried in the CMS; its picture is the\n' +
        'appearance unless --image/--generate is given; the signer must be in its certList',
    )
    .option(
      '--format <format>',
      'pades (default) or gbt38540: a raw GB/T 38540 SES_Signature in /Contents\n' +
        '(SubFilter GM.sm2seal, SM2 signer, needs --seal; readable by GB/T 38540 tools, not by PAdES validators)',
    )
    .action(async (flags: PdfSealFlags) => {
      // Check everything cheap first, so no work is done (and nothing written) on a usage error.
      if (!flags.force && existsSync(flags.out))
        throw new UsageError(`${flags.out} exists; pass --force to overwrite`);
      if (flags.image !== undefined && flags.generate !== undefined)
        throw new UsageError('give --image or --generate, not both');
      if (flags.generate !== undefined) {
        if (!['round', 'oval', 'square'].includes(flags.generate))
          throw new UsageError('--generate must be round, oval or square');
        if (flags.text === undefined) throw new UsageError('--generate needs --text');
      }
      const format = flags.format ?? 'pades';
      if (format !== 'pades' && format !== 'gbt38540')
        throw new UsageError('--format must be pades or gbt38540');
      if (format === 'gbt38540') {
        if (flags.seal === undefined) throw new UsageError('--format gbt38540 needs --seal');
        if (flags.tsa !== undefined || flags.level === 'B-T' || flags.certify !== undefined)
          throw new UsageError(
            '--format gbt38540 cannot be combined with --tsa, --level B-T or --certify',
          );
      }
      const hasPicture =
        flags.image !== undefined || flags.generate !== undefined || flags.seal !== undefined;
      const level = flags.level;
      if (level !== undefined && level !== 'B-B' && level !== 'B-T')
        throw new UsageError('--level must be B-B or B-T');
      if (level === 'B-T' && flags.tsa === undefined)
        throw new UsageError('--level B-T needs --tsa');
      let certify: 1 | 2 | 3 | undefined;
      if (flags.certify !== undefined) {
        if (!['1', '2', '3'].includes(flags.certify))
          throw new UsageError('--certify must be 1, 2 or 3');
        certify = Number(flags.certify) as 1 | 2 | 3;
      }
      let now: Date | undefined;
      if (flags.time !== undefined) {
        now = new Date(flags.time);
        if (Number.isNaN(now.getTime())) throw new UsageError('--time must be an ISO 8601 time');
      }
      const placement = placementOf(flags);
      if (placement !== undefined && !hasPicture)
        throw new UsageError('a placement needs --image, --generate or --seal');
      if (placement === undefined && (flags.image !== undefined || flags.generate !== undefined))
        throw new UsageError(
          'the seal picture needs a placement: --page/--x/--y, --keyword or --riding',
        );
      const signer = loadSigner(flags);
      const input = readInput(flags.in);
      const seal = flags.seal === undefined ? undefined : readInput(flags.seal);
      const options: SealPdfOptions = {
        signer,
        ...(flags.image === undefined ? {} : { appearance: { image: readInput(flags.image) } }),
        ...(flags.generate === undefined
          ? {}
          : {
              appearance: {
                drawing: drawSeal({ shape: flags.generate as SealShape, text: flags.text! }),
              },
            }),
        ...(placement === undefined ? {} : { placement }),
        ...(flags.tsa === undefined ? {} : { tsa: createHttpTsaClient(flags.tsa) }),
        ...(level === undefined ? {} : { level }),
        ...(certify === undefined ? {} : { certify }),
        ...(flags.allowVisibleAfterCertification === true
          ? { allowVisibleSignaturesAfterCertification: true }
          : {}),
        ...(flags.reason === undefined ? {} : { reason: flags.reason }),
        ...(flags.location === undefined ? {} : { location: flags.location }),
        ...(flags.contact === undefined ? {} : { contactInfo: flags.contact }),
        ...(flags.field === undefined ? {} : { fieldName: flags.field }),
        ...(now === undefined ? {} : { now }),
        ...(seal === undefined ? {} : { seal }),
        ...(format === 'gbt38540' ? { format } : {}),
      };
      const sealed = await sealPdf(input, options);
      writeOutput(flags.out, sealed, { force: flags.force === true });
      io.stdout(`sealed ${flags.in} -> ${flags.out} (${sealed.length} bytes)\n`);
      setExit(ExitCode.ok);
    });
}
