/** `govtrust pki`: development PKI hierarchies (root, intermediate, seal maker, holders, licence issuer, TSA, OCSP). @module */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { PkiConfigError } from '@govtrust/core/errors';
import { defaultPkiHierarchyConfig, generatePkiHierarchy } from '@govtrust/core/pki';
import { ExitCode, type CliIo } from '../io.js';
import { writeOutput } from '../files.js';

interface PkiInitFlags {
  out: string;
  config?: string;
  force?: boolean;
}

function readConfig(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new PkiConfigError(
      `${path} is not JSON: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
}

/** Registers `pki init`. */
export function registerPkiCommands(
  program: Command,
  io: CliIo,
  setExit: (code: number) => void,
): void {
  const pki = program
    .command('pki')
    .description('development PKI: certificate hierarchies for tests and demos');
  pki
    .command('init')
    .description(
      'generate a DEV ONLY PKI hierarchy (RSA, P-256, SM2: root, intermediate, seal maker, seal holders, licence issuer, TSA, OCSP) with keys and CRLs',
    )
    .requiredOption('--out <dir>', 'output folder')
    .option(
      '--config <file>',
      'hierarchy configuration (JSON, see certs-dev/pki.config.json); default: the built-in one',
    )
    .option('--force', 'overwrite existing files')
    .action(async (flags: PkiInitFlags) => {
      const config =
        flags.config === undefined ? defaultPkiHierarchyConfig : readConfig(flags.config);
      const { files, identities } = await generatePkiHierarchy(config);
      for (const file of files)
        writeOutput(join(flags.out, file.path), file.contents, {
          force: flags.force === true,
          secret: file.secret === true,
        });
      const algorithms = [...new Set(identities.map((i) => i.algorithm))];
      io.stdout(
        `DEV ONLY PKI written to ${flags.out}: ${identities.length} certificates (${algorithms.join(', ')}), ${files.length} files. Never trust these keys.\n`,
      );
      setExit(ExitCode.ok);
    });
}
