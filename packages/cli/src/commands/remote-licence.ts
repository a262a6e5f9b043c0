/** `govtrust remote licence-verify` and `govtrust remote licence-status`: the licence service of a GovTrust server through the client SDK (every call with a use cause, 用证事由). @module */
import type { Command } from 'commander';
import { createGovTrustClient, type GovTrustClient } from '@govtrust/core/client';
import { RemoteServiceError } from '@govtrust/core/errors';
import { ExitCode, UsageError, type CliIo } from '../io.js';
import { readInput, readPasswordFile } from '../files.js';

interface RemoteFlags {
  server: string;
  appId: string;
  secretFile: string;
  useCause: string;
  json?: boolean;
}

function clientOf(flags: RemoteFlags): GovTrustClient {
  return createGovTrustClient({
    baseUrl: flags.server,
    appId: flags.appId,
    secret: readPasswordFile(flags.secretFile).trim(),
  });
}

/** The JSON answer, or the problem document as a `RemoteServiceError`. */
function answer(res: { status: number; body: Uint8Array }, what: string): Record<string, unknown> {
  let doc: Record<string, unknown> = {};
  try {
    doc = JSON.parse(new TextDecoder().decode(res.body)) as Record<string, unknown>;
  } catch {
    // An unreadable answer is reported below with the HTTP status.
  }
  if (res.status >= 400)
    throw new RemoteServiceError(
      typeof doc.code === 'string' ? doc.code : 'ERR_CLIENT_RESPONSE',
      `${what}: ${typeof doc.detail === 'string' ? doc.detail : `HTTP ${res.status}`}`,
      { status: res.status },
    );
  return doc;
}

const common = (c: Command): Command =>
  c
    .requiredOption('--server <url>', 'server base URL, e.g. http://127.0.0.1:8080')
    .requiredOption('--app-id <id>', 'application id (verifier or issuer role)')
    .requiredOption('--secret-file <file>', 'file holding the application secret')
    .requiredOption('--use-cause <text>', '用证事由: why the licence is checked (2-200 characters)')
    .option('--json', 'print the answer as JSON');

/** Registers the licence subcommands of `remote` (after `registerServerCommands`). */
export function registerRemoteLicenceCommands(
  program: Command,
  io: CliIo,
  setExit: (code: number) => void,
): void {
  const remote =
    program.commands.find((c) => c.name() === 'remote') ??
    program.command('remote').description('use a GovTrust server over HTTP');

  common(
    remote
      .command('licence-verify')
      .description(
        'verify a licence face PDF or signed data file on a GovTrust server (POST /v1/licences/verify); exit 0 only for result 0',
      )
      .argument('<file>', 'face PDF or signed licence data (.licence.json)'),
  ).action(async (file: string, flags: RemoteFlags) => {
    const bytes = readInput(file);
    const isPdf = Buffer.from(bytes.subarray(0, 1024)).toString('latin1').includes('%PDF-');
    const r = answer(
      await clientOf(flags).request(
        'POST',
        `/v1/licences/verify?useCause=${encodeURIComponent(flags.useCause)}`,
        { body: bytes, contentType: isPdf ? 'application/pdf' : 'application/json' },
      ),
      'verify',
    );
    if (flags.json === true) io.stdout(`${JSON.stringify(r, null, 2)}\n`);
    else {
      io.stdout(
        `${String(r.status).toUpperCase()}: ${String(r.identifier)} result ${String(r.result)} ${String(r.resultMessage)}${typeof r.licenceStatus === 'string' ? `, status ${r.licenceStatus}` : ''}\n`,
      );
      for (const e of (r.errors ?? []) as { code: string; message: string }[])
        io.stdout(`  error ${e.code}: ${e.message}\n`);
      for (const w of (r.warnings ?? []) as { code: string; message: string }[])
        io.stdout(`  warning ${w.code}: ${w.message}\n`);
    }
    setExit(r.result === 0 ? ExitCode.ok : ExitCode.verdict);
  });

  common(
    remote
      .command('licence-status')
      .description(
        'the authoritative status of a licence from the server directory (GET /v1/licences/{id}/status); exit 0 only when valid',
      )
      .argument('<identifier>', 'licence identifier (GB/T 36904)'),
  ).action(async (identifier: string, flags: RemoteFlags) => {
    if (identifier.trim() === '') throw new UsageError('give a licence identifier');
    const r = answer(
      await clientOf(flags).request(
        'GET',
        `/v1/licences/${encodeURIComponent(identifier.trim())}/status?useCause=${encodeURIComponent(flags.useCause)}`,
      ),
      'status',
    );
    if (flags.json === true) io.stdout(`${JSON.stringify(r, null, 2)}\n`);
    else if (r.found !== true) io.stdout(`NOT FOUND: ${identifier} (result 5 查无此信息)\n`);
    else {
      const label = r.statusLabel as { zh: string; en: string };
      io.stdout(
        `${String(r.status).toUpperCase()} ${label.zh}: ${String(r.identifier)} result ${String(r.result)} ${String(r.resultMessage)} (source ${(r.source as { node: string }).node})\n`,
      );
    }
    setExit(r.found === true && r.status === 'valid' ? ExitCode.ok : ExitCode.verdict);
  });
}
