/** `govtrust id check` (licence identifiers, USCC, ID numbers, division codes) and `govtrust licence` (types, data checks, issuing and verifying licences, status and lifecycle in a lowdb store). @module */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSigner, importPrivateKey } from '@govtrust/core/crypto';
import { createHttpTsaClient, createTrustStore, parseCertificates } from '@govtrust/core/pki';
import type { Command } from 'commander';
import {
  checkCode,
  createLicenceRegistry,
  issueLicence,
  licenceAttachmentName,
  licenceCollections,
  licenceLogs,
  licenceStatusReasons,
  loadLicenceTypes,
  parseLicenceType,
  registryStatusSource,
  serializeSignedLicence,
  signLicenceData,
  verifyLicence,
  provincialResultMessages,
  validateLicenceData,
  type CheckIssue,
  type CodeReport,
  type LicenceRegistry,
  type LicenceStatusReasonCode,
  type LicenceStatusReport,
  type LicenceType,
} from '@govtrust/core/licence';
import { defineSchema, type Store } from '@govtrust/core/store';
import { openLowdbStore } from '@govtrust/core/store/lowdb';
import { readInput, readPasswordFile, writeOutput } from '../files.js';
import { ExitCode, UsageError, type CliIo } from '../io.js';

const kindNames: Record<CodeReport['kind'], string> = {
  'licence-id': 'licence identifier (电子证照标识, GB/T 36904)',
  'licence-type-code': 'licence type code (证照类型代码)',
  uscc: 'unified social credit code (统一社会信用代码, GB 32100)',
  'resident-id': 'citizen identity number (居民身份证号码, GB 11643)',
  division: 'administrative division code (行政区划代码, GB/T 2260)',
  unknown: 'unrecognised code',
};

function issueLine(prefix: string, i: CheckIssue): string {
  const where = i.path ?? (i.position === undefined ? undefined : `position ${i.position}`);
  return `  ${prefix} ${i.code}${where === undefined ? '' : ` (${where})`}: ${i.message}\n`;
}

/** The human-readable lines of a code report. */
function describeCode(r: CodeReport): string {
  let out = `${kindNames[r.kind]} ${r.normalised}: ${r.valid ? 'valid' : 'INVALID'}\n`;
  switch (r.kind) {
    case 'licence-id':
      if (r.parts !== undefined) {
        const p = r.parts;
        out += `  type code ${p.typeCode} (definer ${p.definerCode}, sequence ${p.typeSequence}); issuer ${p.issuerCode}; serial ${p.serial}; version ${p.versionText}; check character ${p.checkCharacter}\n`;
      }
      break;
    case 'uscc':
      if (r.parts !== undefined) {
        const p = r.parts;
        out += `  department ${p.department}${p.departmentName === undefined ? '' : ` ${p.departmentName}`}, category ${p.category}${p.categoryName === undefined ? '' : ` ${p.categoryName}`}, region ${p.region}${p.regionDivision === undefined ? '' : ` ${p.regionDivision.name}`}, organisation code ${p.organisationCode}\n`;
      }
      break;
    case 'resident-id':
      if (r.parts !== undefined) {
        const p = r.parts;
        out += `  address code ${p.region}${p.regionDivision === undefined ? (p.provinceName === undefined ? '' : ` (${p.provinceName})`) : ` ${p.regionDivision.name}`}, born ${p.birthDate}, ${p.sex}${p.length === 15 ? ', first-generation 15-digit number' : ''}\n`;
      }
      break;
    case 'division':
      if (r.parts?.division !== undefined) {
        const d = r.parts.division;
        out += `  ${d.name} (${d.level}${d.current ? ', current' : `, listed ${d.seen.from} to ${d.seen.to}`})\n`;
      }
      break;
    case 'licence-type-code':
      if (r.parts !== undefined)
        out += `  definer ${r.parts.definerCode}, sequence ${r.parts.sequence}\n`;
      break;
    case 'unknown':
      break;
  }
  for (const e of r.errors) out += issueLine('error', e);
  for (const w of r.warnings) out += issueLine('warning', w);
  for (const alt of r.alternatives ?? []) {
    out += `  read as a ${kindNames[alt.kind]} it is ${alt.valid ? 'valid' : `invalid (${alt.errors.map((e) => e.code).join(', ')})`}\n`;
  }
  return out;
}

interface IdCheckFlags {
  lenient?: boolean;
  json?: boolean;
  at?: string;
}

interface StoreFlags {
  store: string;
  json?: boolean;
  at?: string;
}

interface ChangeFlags extends StoreFlags {
  reason?: string;
  reasonCode?: string;
  actor?: string;
}

const registrySchema = defineSchema({ collections: licenceCollections, logs: licenceLogs });

/** Reads a JSON file. @throws UsageError when it is not JSON */
function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== undefined) throw err;
    throw new UsageError(`${file} is not JSON`);
  }
}

function parseAt(value: string | undefined): Date {
  if (value === undefined) return new Date();
  const d = new Date(value);
  if (Number.isNaN(d.getTime()))
    throw new UsageError('--at must be an ISO 8601 time, e.g. 2026-01-01T00:00:00Z');
  return d;
}

/** Opens the lowdb store of `dir` with the registry, runs `fn`, closes the store. */
async function withRegistry<R>(
  dir: string,
  statusBaseUrl: string | undefined,
  fn: (registry: LicenceRegistry, store: Store<typeof registrySchema>) => Promise<R>,
): Promise<R> {
  const store = await openLowdbStore({ dir, schema: registrySchema });
  try {
    // The base URL only shapes the status entries of licences added now.
    const registry = createLicenceRegistry({
      store,
      statusListBaseUrl: statusBaseUrl ?? 'https://licences.invalid/v1/status-lists',
    });
    return await fn(registry, store);
  } finally {
    await store.close();
  }
}

function statusLine(s: LicenceStatusReport): string {
  if (!s.found) return `${s.identifier}: not found (result 5 ${provincialResultMessages[5]})\n`;
  const reason =
    s.reasonCode === undefined
      ? ''
      : `; reason ${s.reasonCode} ${licenceStatusReasons[s.reasonCode].zh}${s.reason === undefined ? '' : `: ${s.reason}`}`;
  return `${s.identifier}: ${s.status ?? ''}${s.notYetValid ? ' (not yet in force)' : ''} (result ${s.result} ${s.resultMessage}) since ${s.since ?? ''}${reason}${s.supersededBy === undefined ? '' : `; superseded by ${s.supersededBy}`}\n`;
}

/** Registers `id check` and `licence …`. */
export function registerLicenceCommands(
  program: Command,
  io: CliIo,
  setExit: (code: number) => void,
): void {
  const id = program.command('id').description('check licence identifiers and holder codes');
  id.command('check')
    .description(
      'check a licence identifier, licence type code, USCC, citizen ID number or division code: says which it is and why it is invalid',
    )
    .argument('<code>', 'the code to check')
    .option(
      '--lenient',
      'legacy mode: known real-world defects (wrong check character, 6-digit issuer, lower case) are warnings',
    )
    .option('--at <time>', 'check ID-number birth dates against this time (ISO 8601; default now)')
    .option('--json', 'print the report as JSON')
    .action((code: string, flags: IdCheckFlags) => {
      const report = checkCode(code, {
        mode: flags.lenient === true ? 'lenient' : 'strict',
        now: parseAt(flags.at),
      });
      io.stdout(
        flags.json === true ? `${JSON.stringify(report, null, 2)}\n` : describeCode(report),
      );
      setExit(report.valid ? ExitCode.ok : ExitCode.verdict);
    });

  const licence = program
    .command('licence')
    .description(
      'licence types, data checks, status and lifecycle (suspend, resume, revoke, cancel)',
    );
  licence
    .command('check')
    .description('validate licence data (JSON) against the licence types of a directory')
    .argument('<data>', 'licence data JSON file')
    .requiredOption('--types <dir>', 'directory of licence type records (*.json)')
    .option('--lenient', 'legacy mode: holder-code defects and unknown fields are warnings')
    .option('--at <time>', 'check ID-number birth dates against this time (ISO 8601; default now)')
    .option('--json', 'print the report as JSON')
    .action(
      async (
        file: string,
        flags: { types: string; lenient?: boolean; at?: string; json?: boolean },
      ) => {
        const types = await loadLicenceTypes(flags.types);
        let data: unknown;
        try {
          data = JSON.parse(readFileSync(file, 'utf8'));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== undefined) throw err;
          throw new UsageError(`${file} is not JSON`);
        }
        const r = validateLicenceData(data, {
          types,
          mode: flags.lenient === true ? 'lenient' : 'strict',
          now: parseAt(flags.at),
        });
        if (flags.json === true) {
          io.stdout(
            `${JSON.stringify({ valid: r.valid, errors: r.errors, warnings: r.warnings }, null, 2)}\n`,
          );
        } else {
          io.stdout(
            `${file}: ${r.valid ? 'valid' : 'INVALID'}${r.type === undefined ? '' : ` ${r.type.name}`}\n`,
          );
          for (const e of r.errors) io.stdout(issueLine('error', e));
          for (const w of r.warnings) io.stdout(issueLine('warning', w));
        }
        setExit(r.valid ? ExitCode.ok : ExitCode.verdict);
      },
    );

  const type = licence.command('type').description('licence types (证照目录) in a store');
  type
    .command('add')
    .description('validate licence type records and store them')
    .argument('<files...>', 'licence type JSON files')
    .requiredOption('--store <dir>', 'lowdb data directory')
    .action(async (files: string[], flags: StoreFlags) => {
      const records = files.map((f) => parseLicenceType(JSON.parse(readFileSync(f, 'utf8'))));
      await withRegistry(flags.store, undefined, async (registry) => {
        for (const t of records) {
          await registry.putType(t);
          io.stdout(`stored ${t.typeCode} ${t.name}\n`);
        }
      });
      setExit(ExitCode.ok);
    });

  licence
    .command('add')
    .description(
      'store licence data (unsigned; a status-list index is allocated and written into it) with status valid',
    )
    .argument('<data>', 'licence data JSON file')
    .requiredOption('--store <dir>', 'lowdb data directory')
    .requiredOption('--status-base-url <url>', 'base URL where the status lists will be published')
    .option('--actor <who>', 'recorded in the audit entry')
    .option('--at <time>', 'time of the change (ISO 8601; default now)')
    .action(async (file: string, flags: StoreFlags & { statusBaseUrl: string; actor?: string }) => {
      const data = JSON.parse(readFileSync(file, 'utf8')) as Parameters<
        LicenceRegistry['addLicence']
      >[0];
      await withRegistry(flags.store, flags.statusBaseUrl, async (registry) => {
        const rec = await registry.addLicence(data, {
          now: parseAt(flags.at),
          ...(flags.actor === undefined ? {} : { actor: flags.actor }),
        });
        io.stdout(
          `stored ${rec.data.identifier} (status list ${rec.statusSlot.list}, index ${rec.statusSlot.index})\n`,
        );
      });
      setExit(ExitCode.ok);
    });

  licence
    .command('status')
    .description('the status of a licence in a store, with the provincial 0-7 result')
    .argument('<identifier>', 'licence identifier')
    .requiredOption('--store <dir>', 'lowdb data directory')
    .option('--at <time>', 'evaluate at this time (ISO 8601; default now)')
    .option('--json', 'print the status as JSON')
    .action(async (identifier: string, flags: StoreFlags) => {
      const s = await withRegistry(flags.store, undefined, (registry) =>
        registry.getStatus(identifier, { now: parseAt(flags.at) }),
      );
      io.stdout(flags.json === true ? `${JSON.stringify(s, null, 2)}\n` : statusLine(s));
      setExit(s.result === 0 ? ExitCode.ok : ExitCode.verdict);
    });

  licence
    .command('sign')
    .description(
      'sign licence data as the issuer: a signed data file (detached CMS over the RFC 8785 canonical JSON)',
    )
    .argument('<data>', 'licence data JSON file')
    .requiredOption('--key <file>', 'issuer private key (PEM, PKCS#8)')
    .option('--password-file <file>', 'password of an encrypted key')
    .requiredOption('--cert <file>', 'issuer certificate chain (PEM, signer first)')
    .requiredOption('--out <file>', 'signed licence file to write (JSON)')
    .option('--force', 'overwrite an existing output')
    .action(
      async (
        file: string,
        flags: { key: string; passwordFile?: string; cert: string; out: string; force?: boolean },
      ) => {
        const password =
          flags.passwordFile === undefined ? undefined : readPasswordFile(flags.passwordFile);
        const key = importPrivateKey(
          readFileSync(flags.key, 'utf8'),
          password === undefined ? {} : { password },
        );
        const signer = createSigner(key, { certificateChain: readFileSync(flags.cert, 'utf8') });
        const data = JSON.parse(readFileSync(file, 'utf8')) as Parameters<
          typeof signLicenceData
        >[0];
        const signed = await signLicenceData(data, { signer });
        writeOutput(flags.out, serializeSignedLicence(signed), { force: flags.force === true });
        io.stdout(`signed ${data.identifier} (${signer.algorithm}) -> ${flags.out}\n`);
        setExit(ExitCode.ok);
      },
    );

  licence
    .command('issue')
    .description(
      'issue a licence: sign the data and render the face PDF (QR code, signed data attached, sealed by the issuer); with --store the licence is stored (status-list index, audit entry)',
    )
    .requiredOption(
      '--type <type>',
      'licence type: a type record file (JSON), or a type code found in --types or --store',
    )
    .requiredOption('--data <file>', 'licence data JSON file')
    .requiredOption('--issuer-key <file>', 'issuer private key (PEM, PKCS#8)')
    .option('--password-file <file>', 'password of an encrypted key')
    .requiredOption('--issuer-cert <file>', 'issuer certificate chain (PEM, signer first)')
    .option(
      '--seal <file>',
      "the issuer's GB/T 38540 seal (.esl DER): bound to the face seal, its picture drawn",
    )
    .requiredOption(
      '--verify-url <url>',
      'base URL of the online verification service (the QR code points there)',
    )
    .option('--types <dir>', 'directory of licence type records (*.json)')
    .option(
      '--store <dir>',
      'lowdb data directory: allocate the status-list index and store the licence',
    )
    .option('--status-base-url <url>', 'base URL of the published status lists (with --store)')
    .option('--tsa <url>', 'RFC 3161 time-stamp authority (face seal level B-T)')
    .option('--actor <who>', 'recorded in the audit entry')
    .option('--at <time>', 'issuing time (ISO 8601; default now)')
    .requiredOption(
      '--out <dir>',
      'output directory: <identifier>.pdf and <identifier>.licence.json',
    )
    .option('--force', 'overwrite existing outputs')
    .action(
      async (flags: {
        type: string;
        data: string;
        issuerKey: string;
        passwordFile?: string;
        issuerCert: string;
        seal?: string;
        verifyUrl: string;
        types?: string;
        store?: string;
        statusBaseUrl?: string;
        tsa?: string;
        actor?: string;
        at?: string;
        out: string;
        force?: boolean;
      }) => {
        if (flags.store !== undefined && flags.statusBaseUrl === undefined)
          throw new UsageError(
            '--store needs --status-base-url (the status entries name the lists)',
          );
        const password =
          flags.passwordFile === undefined ? undefined : readPasswordFile(flags.passwordFile);
        const key = importPrivateKey(
          readFileSync(flags.issuerKey, 'utf8'),
          password === undefined ? {} : { password },
        );
        const chain = parseCertificates(readFileSync(flags.issuerCert, 'utf8'));
        if (chain.length === 0) throw new UsageError(`${flags.issuerCert} holds no certificate`);
        const issuer = createSigner(key, { certificateChain: chain.map((c) => c.der) });
        const data = readJson(flags.data) as Parameters<typeof issueLicence>[0];
        let type: LicenceType | string = flags.type;
        if (flags.type.endsWith('.json')) type = parseLicenceType(readJson(flags.type));
        else if (flags.types !== undefined) {
          const found = (await loadLicenceTypes(flags.types)).find(
            (t) => t.typeCode === flags.type,
          );
          if (found === undefined)
            throw new UsageError(`No licence type ${flags.type} in ${flags.types}`);
          type = found;
        } else if (flags.store === undefined)
          throw new UsageError('--type is a type code: give --types or --store to find it');
        const now = parseAt(flags.at);
        const options = {
          issuer,
          type,
          now,
          verificationUrl: flags.verifyUrl,
          ...(flags.seal === undefined ? {} : { seal: readInput(flags.seal) }),
          ...(flags.tsa === undefined ? {} : { tsa: createHttpTsaClient(flags.tsa) }),
          ...(flags.actor === undefined ? {} : { actor: flags.actor }),
        };
        const issued =
          flags.store === undefined
            ? await issueLicence(data, options)
            : await withRegistry(flags.store, flags.statusBaseUrl, async (registry) => {
                // A type record given as a file is stored first, so the registry can check the data.
                if (
                  typeof type !== 'string' &&
                  (await registry.getType(type.typeCode)) === undefined
                )
                  await registry.putType(type);
                return issueLicence(data, { ...options, registry });
              });
        const id = issued.data.identifier;
        const pdfPath = join(flags.out, `${id}.pdf`);
        const dataPath = join(flags.out, licenceAttachmentName(id));
        writeOutput(pdfPath, issued.face, { force: flags.force === true });
        writeOutput(dataPath, issued.signedFile, { force: flags.force === true });
        io.stdout(
          `issued ${id} (${issued.data.name}, ${issuer.algorithm})\n  face ${pdfPath}\n  data ${dataPath}\n  QR ${issued.verificationUrl}\n${issued.record === undefined ? '' : `  stored (status list ${issued.record.statusSlot.list}, index ${issued.record.statusSlot.index})\n`}`,
        );
        setExit(ExitCode.ok);
      },
    );

  licence
    .command('verify')
    .description(
      'verify a licence face PDF or signed licence data file: seal, signature, issuer certificate path, data, validity, face/data consistency and (with --store) status',
    )
    .argument('<file>', 'face PDF or signed licence file')
    .requiredOption(
      '--trust <file>',
      'trust anchor certificates (PEM or DER; repeatable)',
      (v: string, p: string[]) => [...p, v],
      [] as string[],
    )
    .option(
      '--intermediate <file>',
      "more CA certificates for paths, e.g. the seal maker's CA (PEM or DER; repeatable)",
      (v: string, p: string[]) => [...p, v],
      [] as string[],
    )
    .option('--store <dir>', 'lowdb data directory to read the status from')
    .option('--types <dir>', 'also check the data (and the face) against these licence types')
    .option('--verify-url <url>', 'the base URL the face QR code must point at')
    .option('--at <time>', 'verify at this time (ISO 8601; default now)')
    .option('--json', 'print the report as JSON')
    .action(
      async (
        file: string,
        flags: {
          trust: string[];
          intermediate: string[];
          store?: string;
          types?: string;
          verifyUrl?: string;
          at?: string;
          json?: boolean;
        },
      ) => {
        if (flags.trust.length === 0) throw new UsageError('give at least one --trust');
        const trust = createTrustStore(flags.trust.map((f) => readInput(f)));
        const intermediates = flags.intermediate.flatMap((f) => {
          const bytes = readInput(f);
          const text = Buffer.from(bytes).toString('latin1');
          return text.includes('-----BEGIN') ? parseCertificates(text).map((c) => c.der) : [bytes];
        });
        const types = flags.types === undefined ? undefined : await loadLicenceTypes(flags.types);
        const now = parseAt(flags.at);
        const input = readInput(file);
        const verify = (registry?: LicenceRegistry) =>
          verifyLicence(input, {
            trust,
            now,
            ...(intermediates.length === 0 ? {} : { intermediates }),
            ...(types === undefined ? {} : { types }),
            ...(flags.verifyUrl === undefined ? {} : { verificationUrl: flags.verifyUrl }),
            ...(registry === undefined ? {} : { statusSource: registryStatusSource(registry) }),
          });
        const report =
          flags.store === undefined
            ? await verify()
            : await withRegistry(flags.store, undefined, (registry) => verify(registry));
        if (flags.json === true) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
        else {
          io.stdout(
            `${report.identifier === '' ? file : report.identifier}: ${report.status.toUpperCase()}, result ${report.result} ${report.resultMessage}${report.licenceStatus === undefined ? '' : ` (${report.licenceStatus})`}\n`,
          );
          if (report.signer !== undefined)
            io.stdout(`  signed by ${report.signer.subject} (${report.algorithm ?? '?'})\n`);
          for (const s of report.face?.signatures ?? []) {
            io.stdout(
              `  seal ${s.field}: ${s.status}, ${s.level ?? '?'}, ${s.coverage}${s.seal === null ? '' : `, GB/T 38540 seal ${s.seal.esID} ${s.seal.name}`}${s.signer === null ? '' : ` by ${s.signer.subject}`}\n`,
            );
          }
          for (const c of report.checks)
            io.stdout(
              `  ${c.name}: ${c.status}${c.code === undefined ? '' : ` ${c.code}`}${c.message === undefined ? '' : ` ${c.message}`}\n`,
            );
          for (const e of report.errors) io.stdout(`  error ${e.code}: ${e.message}\n`);
          for (const w of report.warnings) io.stdout(`  warning ${w.code}: ${w.message}\n`);
        }
        setExit(report.status === 'valid' && report.result === 0 ? ExitCode.ok : ExitCode.verdict);
      },
    );

  for (const [action, zh] of [
    ['suspend', '暂扣'],
    ['resume', '恢复'],
    ['revoke', '吊销/撤销'],
    ['cancel', '注销'],
  ] as const) {
    licence
      .command(action)
      .description(
        `${action} (${zh}) a licence: status, status-list bit and audit entry in one transaction`,
      )
      .argument('<identifier>', 'licence identifier')
      .requiredOption('--store <dir>', 'lowdb data directory')
      .requiredOption('--reason <text>', 'reason text (e.g. the decision number)')
      .option(
        '--reason-code <code>',
        `reason code: ${Object.keys(licenceStatusReasons)
          .filter((k) => k.startsWith(`${action}.`))
          .join('|')} (default ${action}.other)`,
      )
      .option('--actor <who>', 'recorded in the audit entry')
      .option('--at <time>', 'time of the change (ISO 8601; default now)')
      .action(async (identifier: string, flags: ChangeFlags) => {
        const reasonCode = (flags.reasonCode ?? `${action}.other`) as LicenceStatusReasonCode;
        if (!(reasonCode in licenceStatusReasons) || !reasonCode.startsWith(`${action}.`)) {
          throw new UsageError(
            `--reason-code must be one of ${Object.keys(licenceStatusReasons)
              .filter((k) => k.startsWith(`${action}.`))
              .join(', ')}`,
          );
        }
        const now = parseAt(flags.at);
        const s = await withRegistry(flags.store, undefined, async (registry) => {
          await registry.changeStatus(identifier, action, {
            reasonCode,
            now,
            ...(flags.reason === undefined ? {} : { reason: flags.reason }),
            ...(flags.actor === undefined ? {} : { actor: flags.actor }),
          });
          return registry.getStatus(identifier, { now });
        });
        io.stdout(statusLine(s));
        setExit(ExitCode.ok);
      });
  }
}
