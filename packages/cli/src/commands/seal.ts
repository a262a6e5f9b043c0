/** `govtrust seal create|inspect` and `govtrust ofd verify`: GB/T 38540 seal files and OFD seal verification. @module */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Command } from 'commander';
import { createSigner, decodeCertificateChain, importPrivateKey } from '@govtrust/core/crypto';
import { createTrustStore, parseCertificate, type TrustStore } from '@govtrust/core/pki';
import {
  createSealId,
  makeSeal,
  parseSeal,
  sealTypes,
  verifyOfdSeals,
  verifySeal,
  type OfdVerificationReport,
  type SesSeal,
} from '@govtrust/core/seal';
import { ExitCode, UsageError, type CliIo } from '../io.js';
import { readInput, readPasswordFile, writeOutput } from '../files.js';

interface SealCreateFlags {
  makerKey: string;
  makerCert: string;
  passwordFile?: string;
  holderCert: string[];
  name: string;
  type: string;
  esId?: string;
  region?: string;
  serial?: string;
  picture: string;
  pictureType?: string;
  width: string;
  height: string;
  validFrom?: string;
  validTo?: string;
  validDays?: string;
  sealVersion: string;
  vendor?: string;
  allowNonStandard?: boolean;
  allowCustomType?: boolean;
  out: string;
  force?: boolean;
}

interface JsonFlag {
  json?: boolean;
}

interface OfdVerifyFlags extends JsonFlag {
  at?: string;
  trust: string[];
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function parseTime(value: string, flag: string): Date {
  const d = new Date(value);
  if (Number.isNaN(d.getTime()))
    throw new UsageError(`${flag} must be an ISO 8601 time, e.g. 2026-01-01T00:00:00Z`);
  return d;
}

function parseInteger(value: string, flag: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} must be a non-negative integer`);
  return Number(value);
}

function readTrust(files: readonly string[]): TrustStore | undefined {
  return files.length === 0 ? undefined : createTrustStore(files.map((f) => readFileSync(f)));
}

const PICTURE_EXTENSIONS: Record<string, string> = {
  '.png': 'PNG',
  '.jpg': 'JPG',
  '.jpeg': 'JPG',
  '.gif': 'GIF',
  '.bmp': 'BMP',
  '.svg': 'SVG',
};

/** A certificate as `seal inspect` shows it. */
interface CertFacts {
  readonly subject?: string;
  readonly issuer?: string;
  readonly serialNumber?: string;
  readonly notBefore?: string;
  readonly notAfter?: string;
  readonly error?: string;
}

/** The facts `seal inspect` shows, as JSON. */
interface SealFacts {
  readonly typeName: string | null;
  readonly maker: CertFacts;
  readonly certList:
    | { readonly type: 'certificates'; readonly certificates: readonly CertFacts[] }
    | { readonly type: 'digests'; readonly digests: readonly { type: string; value: string }[] };
  readonly [field: string]: unknown;
}

function describeSeal(seal: SesSeal): SealFacts {
  const info = seal.sealInfo;
  const p = info.property;
  const certInfo = (der: Uint8Array): CertFacts => {
    try {
      const c = parseCertificate(der);
      return {
        subject: c.subject,
        issuer: c.issuer,
        serialNumber: c.serialNumber,
        notBefore: c.notBefore.toISOString(),
        notAfter: c.notAfter.toISOString(),
      };
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) };
    }
  };
  return {
    version: seal.version,
    header: info.header,
    esID: info.esID,
    name: p.name,
    type: p.type,
    typeName: Object.hasOwn(sealTypes, p.type)
      ? sealTypes[p.type as keyof typeof sealTypes].zh
      : null,
    createdAt: p.createDate.toISOString(),
    validFrom: p.validStart.toISOString(),
    validTo: p.validEnd.toISOString(),
    picture: {
      type: info.picture.type,
      size: info.picture.data.length,
      widthMm: info.picture.width,
      heightMm: info.picture.height,
    },
    certList:
      p.certList.type === 'certificates'
        ? { type: 'certificates' as const, certificates: p.certList.certificates.map(certInfo) }
        : {
            type: 'digests' as const,
            digests: p.certList.digests.map((d) => ({
              type: d.type,
              value: Buffer.from(d.value).toString('hex'),
            })),
          },
    maker: certInfo(seal.makerCertificate),
    signatureAlgorithm: seal.signatureAlgorithm,
    timeStamp: seal.timeStamp !== undefined,
    extDatas: (info.extDatas ?? []).map((e) => ({
      oid: e.oid,
      critical: e.critical,
      value: Buffer.from(e.value).toString('hex'),
    })),
    size: seal.der.length,
    nonDer: seal.nonDer,
  };
}

function printOfdReport(report: OfdVerificationReport, io: CliIo): void {
  io.stdout(
    `OFD ${report.status.toUpperCase()}: ${report.signatures.length} signature(s), ${report.file.entries} files, sha256 ${report.file.sha256}\n`,
  );
  for (const e of report.errors) io.stdout(`  error ${e.code}: ${e.message}\n`);
  for (const s of report.signatures) {
    io.stdout(`\nSignature ${s.id} (${s.type}) ${s.location}: ${s.status}\n`);
    if (s.signer !== null) io.stdout(`  signer:   ${s.signer.subject}\n`);
    if (s.signingTime !== null) io.stdout(`  signed:   ${s.signingTime} (claimed by the signer)\n`);
    if (s.seal !== null) {
      io.stdout(
        `  seal:     ${s.seal.name} [esID ${s.seal.esID}, type ${s.seal.type}] valid ${s.seal.validFrom} .. ${s.seal.validTo}\n`,
      );
      if (s.seal.maker !== null) io.stdout(`  maker:    ${s.seal.maker.subject}\n`);
    }
    io.stdout(
      `  intact:   ${s.intact} (dataHash ${s.dataHashValid === null ? 'n/a' : s.dataHashValid ? 'ok' : 'MISMATCH'}, ${s.references.count} references, ${s.references.mismatched.length} changed, ${s.references.missing.length} missing)\n`,
    );
    io.stdout(
      `  coverage: ${s.coverage}${s.unprotectedFiles.length > 0 ? ` (unprotected: ${s.unprotectedFiles.slice(0, 5).join(', ')})` : ''}\n`,
    );
    io.stdout(`  trusted:  ${s.trusted}\n`);
    for (const e of s.errors) io.stdout(`  error ${e.code}: ${e.message}\n`);
    for (const w of s.warnings) io.stdout(`  warning ${w.code}: ${w.message}\n`);
  }
}

/** Registers `seal create`, `seal inspect` and `ofd verify`. */
export function registerSealCommands(
  program: Command,
  io: CliIo,
  setExit: (code: number) => void,
): void {
  const seal = program
    .command('seal')
    .description('GB/T 38540 electronic seals (电子印章): make and inspect .esl files');
  seal
    .command('create')
    .description('make a GB/T 38540 seal signed by the seal-making authority (制章者)')
    .requiredOption('--maker-key <file>', 'maker private key (PEM, PKCS#8 or SEC 1)')
    .requiredOption('--maker-cert <file>', 'maker certificate (PEM; chain allowed, maker first)')
    .option('--password-file <file>', 'password of an encrypted maker key')
    .option(
      '--holder-cert <file>',
      'certificate of a signer allowed to use the seal (repeatable)',
      collect,
      [],
    )
    .requiredOption('--name <name>', '印章名称, e.g. the unit’s registered name')
    .option(
      '--type <code>',
      `seal type code: ${Object.entries(sealTypes)
        .map(([k, v]) => `${k}=${v.zh}`)
        .join(', ')}`,
      '1',
    )
    .option('--es-id <id>', 'seal identifier: 14 digits (region + serial) or a UUID')
    .option(
      '--region <code>',
      '6-digit GB/T 2260 division code for a 14-digit esID (with --serial)',
    )
    .option('--serial <n>', 'serial of a 14-digit esID (with --region)')
    .requiredOption('--picture <file>', 'seal image (PNG, JPG, GIF, BMP or SVG)')
    .option('--picture-type <type>', 'image type when the file extension does not say')
    .option('--width <mm>', 'display width in millimetres', '40')
    .option('--height <mm>', 'display height in millimetres', '40')
    .option('--valid-from <time>', 'start of validity (ISO 8601; default now)')
    .option('--valid-to <time>', 'end of validity (ISO 8601)')
    .option('--valid-days <n>', 'validity in days from --valid-from (default 1095)')
    .option('--seal-version <v>', 'seal format: 4 (GB/T 38540) or 5 (GM/T 0031-2025)', '4')
    .option('--vendor <vid>', 'vendor identifier (Vid)', 'GovTrust')
    .option('--allow-non-standard', 'allow an RSA or ECDSA maker (the seal is marked non-standard)')
    .option('--allow-custom-type', 'allow a type code outside the table')
    .requiredOption('--out <file>', 'output .esl file (DER)')
    .option('--force', 'overwrite an existing output')
    .action(async (flags: SealCreateFlags) => {
      const password =
        flags.passwordFile === undefined ? undefined : readPasswordFile(flags.passwordFile);
      const key = importPrivateKey(
        readFileSync(flags.makerKey, 'utf8'),
        password === undefined ? {} : { password },
      );
      const maker = createSigner(key, { certificateChain: readFileSync(flags.makerCert, 'utf8') });
      if (flags.holderCert.length === 0) throw new UsageError('give at least one --holder-cert');
      const holders = flags.holderCert.flatMap((f) =>
        decodeCertificateChain(readInput(f)).slice(0, 1),
      );
      if ((flags.region === undefined) !== (flags.serial === undefined)) {
        throw new UsageError('--region and --serial go together');
      }
      if (flags.esId !== undefined && flags.region !== undefined)
        throw new UsageError('give --es-id or --region/--serial, not both');
      const esID =
        flags.esId ??
        (flags.region !== undefined
          ? createSealId({ region: flags.region, serial: flags.serial! })
          : createSealId());
      const pictureType =
        flags.pictureType ?? PICTURE_EXTENSIONS[extname(flags.picture).toLowerCase()];
      if (pictureType === undefined)
        throw new UsageError(
          'cannot tell the picture type from its extension: pass --picture-type',
        );
      const from =
        flags.validFrom === undefined ? new Date() : parseTime(flags.validFrom, '--valid-from');
      if (flags.validTo !== undefined && flags.validDays !== undefined)
        throw new UsageError('give --valid-to or --valid-days, not both');
      const to =
        flags.validTo !== undefined
          ? parseTime(flags.validTo, '--valid-to')
          : new Date(
              from.getTime() + parseInteger(flags.validDays ?? '1095', '--valid-days') * 86_400_000,
            );
      const version = flags.sealVersion === '4' ? 4 : flags.sealVersion === '5' ? 5 : undefined;
      if (version === undefined) throw new UsageError('--seal-version must be 4 or 5');
      const made = await makeSeal({
        maker,
        holderCertificates: holders,
        name: flags.name,
        type: parseInteger(flags.type, '--type'),
        esID,
        picture: {
          type: pictureType,
          data: readInput(flags.picture),
          width: parseInteger(flags.width, '--width'),
          height: parseInteger(flags.height, '--height'),
        },
        validity: { from, to },
        version,
        ...(flags.vendor === undefined ? {} : { vendorId: flags.vendor }),
        allowNonStandardAlgorithm: flags.allowNonStandard === true,
        allowCustomType: flags.allowCustomType === true,
      });
      writeOutput(flags.out, made.der, { force: flags.force === true });
      io.stdout(
        `seal ${made.sealInfo.esID} (${made.sealInfo.property.name}) written to ${flags.out} (${made.der.length} bytes)\n`,
      );
      setExit(ExitCode.ok);
    });

  seal
    .command('inspect')
    .description(
      'show a seal file: header, esID, name, type, validity, picture, certificates, maker',
    )
    .argument('<file>', 'seal file (.esl, DER)')
    .option('--json', 'print JSON')
    .action(async (file: string, flags: JsonFlag) => {
      const parsed = parseSeal(readInput(file));
      const report = await verifySeal(parsed);
      const described = describeSeal(parsed);
      const facts = {
        ...described,
        check: {
          status: report.status,
          makerSignatureValid: report.makerSignatureValid,
          errors: report.errors,
          warnings: report.warnings,
        },
      };
      if (flags.json === true) {
        io.stdout(`${JSON.stringify(facts, null, 2)}\n`);
      } else {
        const p = parsed.sealInfo.property;
        const pic = parsed.sealInfo.picture;
        const lines = [
          `Seal file:  ${file} (${parsed.der.length} bytes)`,
          `Format:     V${parsed.version} (header "${parsed.sealInfo.header.id}" version ${parsed.sealInfo.header.version}, vendor ${parsed.sealInfo.header.vendorId})`,
          `esID:       ${parsed.sealInfo.esID}`,
          `Name:       ${p.name}`,
          `Type:       ${p.type}${described.typeName === null ? '' : ` (${described.typeName})`}`,
          `Created:    ${p.createDate.toISOString()}`,
          `Validity:   ${p.validStart.toISOString()} .. ${p.validEnd.toISOString()}`,
          `Picture:    ${pic.type}, ${pic.data.length} bytes, ${pic.width} x ${pic.height} mm`,
          `Maker:      ${described.maker.subject ?? described.maker.error ?? ''}`,
          `Algorithm:  ${parsed.signatureAlgorithm}; maker signature ${report.makerSignatureValid ? 'verifies' : 'DOES NOT VERIFY'}`,
          `Holders:    ${p.certList.type === 'certificates' ? p.certList.certificates.length : p.certList.digests.length} (${p.certList.type})`,
        ];
        if (described.certList.type === 'certificates') {
          for (const c of described.certList.certificates) {
            lines.push(`  - ${c.subject ?? '(unreadable)'} [serial ${c.serialNumber ?? '?'}]`);
          }
        }
        for (const q of parsed.nonDer) lines.push(`Non-DER:    ${q}`);
        for (const e of report.errors) lines.push(`Now:        ${e.code}: ${e.message}`);
        io.stdout(`${lines.join('\n')}\n`);
      }
      setExit(ExitCode.ok);
    });

  const ofd = program.command('ofd').description('OFD documents (GB/T 33190)');
  ofd
    .command('verify')
    .description(
      'verify the seal signatures of an OFD document (exit 0 valid, 1 invalid/indeterminate, 2 unusable)',
    )
    .argument('<file>', 'OFD file')
    .option('--json', 'print the report as JSON')
    .option('--at <time>', 'validation time (ISO 8601; default now)')
    .option('--trust <file>', 'trust anchor certificates (PEM or DER; repeatable)', collect, [])
    .action(async (file: string, flags: OfdVerifyFlags) => {
      const now = flags.at === undefined ? new Date() : parseTime(flags.at, '--at');
      const trust = readTrust(flags.trust);
      const report = await verifyOfdSeals(readInput(file), {
        now,
        ...(trust === undefined ? {} : { trust }),
      });
      if (flags.json === true) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
      else printOfdReport(report, io);
      setExit(report.status === 'valid' ? ExitCode.ok : ExitCode.verdict);
    });
}
