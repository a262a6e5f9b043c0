/** `govtrust serve`, `govtrust remote seal` (the seal service through the client SDK) and `govtrust audit verify` (offline hash-chain check). @module */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { createGovTrustClient, type SealPosition } from '@govtrust/core/client';
import { parseLogExport, verifyLogChain } from '@govtrust/core/store';
import { runServer } from '@govtrust/server';
import { ExitCode, UsageError, type CliIo } from '../io.js';
import { readInput, readPasswordFile, writeOutput } from '../files.js';

interface ServeFlags {
  config?: string;
  data?: string;
  port?: string;
  host?: string;
  mode?: string;
}

interface RemoteSealFlags {
  server: string;
  appId: string;
  secretFile: string;
  seal: string;
  in: string;
  out: string;
  force?: boolean;
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
  level?: string;
  reason?: string;
  location?: string;
  bizId?: string;
  idempotencyKey?: string;
  json?: boolean;
}

interface AuditVerifyFlags {
  head?: string;
  json?: boolean;
}

function num(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`${flag} must be a number`);
  return n;
}

function int(value: string | undefined, flag: string): number | undefined {
  const n = num(value, flag);
  if (n !== undefined && (!Number.isInteger(n) || n < 1))
    throw new UsageError(`${flag} must be a positive integer`);
  return n;
}

/** Positions from the flags: page/x/y, keyword and riding may be combined (one seal each). */
export function positionsFromFlags(f: RemoteSealFlags): SealPosition[] {
  const size = num(f.size, '--size');
  const width = size === undefined ? {} : { width: size };
  const out: SealPosition[] = [];
  if (f.page !== undefined || f.x !== undefined || f.y !== undefined) {
    const page = int(f.page ?? '1', '--page')!;
    const x = num(f.x, '--x');
    const y = num(f.y, '--y');
    if (x === undefined || y === undefined)
      throw new UsageError('--x and --y go together (millimetres from the top-left corner)');
    out.push({ type: 'page', page, x, y, ...width, unit: 'mm' });
  }
  if (f.keyword !== undefined) {
    const occurrence = int(f.occurrence, '--occurrence');
    const offsetX = num(f.offsetX, '--offset-x');
    const offsetY = num(f.offsetY, '--offset-y');
    out.push({
      type: 'keyword',
      keyword: f.keyword,
      ...(occurrence === undefined ? {} : { occurrence }),
      ...(offsetX === undefined ? {} : { offsetX }),
      ...(offsetY === undefined ? {} : { offsetY }),
      ...width,
      unit: 'mm',
    });
  }
  if (f.riding === true) {
    let pages: [number, number] | undefined;
    if (f.pages !== undefined) {
      const m = /^(\d+)-(\d+)$/.exec(f.pages);
      if (m === null) throw new UsageError('--pages must be N-M, e.g. 1-3');
      pages = [Number(m[1]), Number(m[2])];
    }
    out.push({ type: 'riding', ...(pages === undefined ? {} : { pages }), ...width, unit: 'mm' });
  }
  if (out.length === 0)
    throw new UsageError(
      'Give a position: --page/--x/--y, --keyword or --riding (they may be combined)',
    );
  return out;
}

/** Registers `serve`, `remote seal` and `audit verify`. */
export function registerServerCommands(
  program: Command,
  io: CliIo,
  setExit: (code: number) => void,
): void {
  program
    .command('serve')
    .description(
      'run the seal service (first start: creates a DEV ONLY data folder with a demo seal and prints how to call it)',
    )
    .option(
      '--config <file>',
      'configuration file (JSON); GOVTRUST_* environment variables and the flags below override it',
    )
    .option('--data <dir>', 'data folder (default ./govtrust-data)')
    .option('--port <n>', 'TCP port (default 8080; 0 picks a free one)')
    .option('--host <addr>', 'address to listen on (default 127.0.0.1)')
    .option(
      '--mode <mode>',
      'directory cascade mode: provincial (default; reports to `national` in the configuration) or national (keeps the index of the registered `nodes` and routes lookups)',
    )
    .action(async (flags: ServeFlags) => {
      const port = flags.port === undefined ? undefined : Number(flags.port);
      if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535))
        throw new UsageError('--port must be 0-65535');
      if (flags.mode !== undefined && flags.mode !== 'provincial' && flags.mode !== 'national')
        throw new UsageError('--mode must be provincial or national');
      const running = await runServer({
        ...(flags.config === undefined ? {} : { configFile: flags.config }),
        ...(flags.data === undefined ? {} : { dataDir: flags.data }),
        ...(port === undefined ? {} : { port }),
        ...(flags.host === undefined ? {} : { host: flags.host }),
        ...(flags.mode === undefined ? {} : { mode: flags.mode }),
        print: (t) => io.stdout(t),
      });
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          io.stdout('stopping\n');
          void running.stop().then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      setExit(ExitCode.ok);
    });

  const remote = program.command('remote').description('use a GovTrust seal service over HTTP');
  remote
    .command('seal')
    .description('seal a PDF on a GovTrust server (用印申请) and download the result')
    .requiredOption('--server <url>', 'server base URL, e.g. http://127.0.0.1:8080')
    .requiredOption('--app-id <id>', 'application id')
    .requiredOption('--secret-file <file>', 'file holding the application secret')
    .requiredOption('--seal <id>', 'seal id')
    .requiredOption('--in <file>', 'PDF to seal')
    .requiredOption('--out <file>', 'sealed PDF to write')
    .option('--force', 'overwrite --out')
    .option('--page <n>', 'page number (1-based) for --x/--y')
    .option('--x <mm>', 'distance from the left edge, mm')
    .option('--y <mm>', 'distance from the top edge, mm')
    .option('--size <mm>', 'seal width in mm (default: the seal picture size)')
    .option('--keyword <text>', 'centre a seal on this text, e.g. 盖章处')
    .option('--occurrence <n>', 'which occurrence of --keyword (default 1)')
    .option('--offset-x <mm>', 'shift from the keyword, right')
    .option('--offset-y <mm>', 'shift from the keyword, down')
    .option('--riding', 'riding seal (骑缝章) across the right edge of several pages')
    .option('--pages <N-M>', 'page range of --riding (default: all)')
    .option('--level <level>', 'B-B or B-T (time-stamped by the server TSA)', 'B-B')
    .option('--reason <text>', 'reason for sealing')
    .option('--location <text>', 'location of sealing')
    .option('--biz-id <id>', 'business reference (e.g. the approval number)')
    .option('--idempotency-key <key>', 'makes a retry return the first result')
    .option('--json', 'print the application as JSON')
    .action(async (flags: RemoteSealFlags) => {
      if (flags.level !== 'B-B' && flags.level !== 'B-T')
        throw new UsageError('--level must be B-B or B-T');
      const positions = positionsFromFlags(flags);
      const client = createGovTrustClient({
        baseUrl: flags.server,
        appId: flags.appId,
        secret: readPasswordFile(flags.secretFile).trim(),
      });
      const { application, pdf } = await client.sealPdf({
        sealId: flags.seal,
        pdf: readInput(flags.in),
        filename: flags.in.split(/[\\/]/).pop() ?? 'document.pdf',
        positions,
        level: flags.level,
        ...(flags.bizId === undefined ? {} : { bizId: flags.bizId }),
        ...(flags.reason === undefined ? {} : { reason: flags.reason }),
        ...(flags.location === undefined ? {} : { location: flags.location }),
        ...(flags.idempotencyKey === undefined ? {} : { idempotencyKey: flags.idempotencyKey }),
      });
      writeOutput(flags.out, pdf, { force: flags.force === true });
      if (flags.json === true) io.stdout(`${JSON.stringify(application, null, 2)}\n`);
      else
        io.stdout(
          `sealed ${flags.out}: application ${application.id}, ${positions.length} seal(s), usage log entry ${application.usageSeq ?? '?'}, sha256 ${application.document.sha256After ?? ''}\n`,
        );
      setExit(ExitCode.ok);
    });

  const audit = program.command('audit').description('usage logs (用印记录) and audit logs');
  audit
    .command('verify')
    .description(
      'verify an exported log offline: every entry hash, sequence numbers and links (changed, removed, inserted or reordered entries)',
    )
    .argument('<file>', 'NDJSON export (GET /v1/seal-usage/export or /v1/audit-events/export)')
    .option(
      '--head <seq:hash>',
      'the head recorded elsewhere (X-Log-Head): detects removed newest entries',
    )
    .option('--json', 'print the report as JSON')
    .action((file: string, flags: AuditVerifyFlags) => {
      const { header, entries } = parseLogExport(readFileSync(file, 'utf8'));
      let expectedHead: { seq: number; hash: string } | undefined;
      if (flags.head !== undefined) {
        const m = /^(\d+):([0-9a-f]{64})$/.exec(flags.head);
        if (m === null) throw new UsageError('--head must be SEQ:HASH (64 hex digits)');
        expectedHead = { seq: Number(m[1]), hash: m[2]! };
      }
      const report = verifyLogChain(entries, expectedHead === undefined ? {} : { expectedHead });
      if (flags.json === true)
        io.stdout(`${JSON.stringify({ ...report, alg: header.alg }, null, 2)}\n`);
      else {
        io.stdout(
          `${report.valid ? 'VALID' : 'INVALID'}: log ${header.log} (${header.alg}), ${report.count} entries${report.head === undefined ? '' : `, head ${report.head.seq}:${report.head.hash}`}\n`,
        );
        for (const e of report.errors)
          io.stdout(
            `  error ${e.code}${e.seq === undefined ? '' : ` at entry ${e.seq}`}: ${e.message}\n`,
          );
      }
      setExit(report.valid ? ExitCode.ok : ExitCode.verdict);
      return Promise.resolve();
    });
}
