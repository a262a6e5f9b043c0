/** `govtrust key`: key generation and inspection. @module */
import type { Command } from 'commander';
import { generateKeyPair, keyGenAlgorithms, type KeyGenAlgorithm } from '@govtrust/core/crypto';
import { ExitCode, UsageError, type CliIo } from '../io.js';
import { readPasswordFile, writeOutput } from '../files.js';

interface KeyGenFlags {
  alg: string;
  out: string;
  pub?: string;
  passwordFile?: string;
  force?: boolean;
}

/** Registers `key gen`. */
export function registerKeyCommands(
  program: Command,
  io: CliIo,
  setExit: (code: number) => void,
): void {
  const key = program.command('key').description('generate and manage signing keys');
  key
    .command('gen')
    .description('generate a key pair and write the private key as PKCS#8 PEM')
    .requiredOption('--alg <alg>', `algorithm: ${keyGenAlgorithms.join('|')}`)
    .requiredOption('--out <file>', 'private key output (PEM, mode 0600)')
    .option('--pub <file>', 'also write the public key (SPKI PEM)')
    .option(
      '--password-file <file>',
      'encrypt the private key (PKCS#8, AES-256-CBC) with the password in this file',
    )
    .option('--force', 'overwrite existing files')
    .action((flags: KeyGenFlags) => {
      if (!(keyGenAlgorithms as readonly string[]).includes(flags.alg)) {
        throw new UsageError(`--alg must be one of ${keyGenAlgorithms.join(', ')}`);
      }
      const { privateKey, publicKey } = generateKeyPair(flags.alg as KeyGenAlgorithm);
      const password =
        flags.passwordFile === undefined ? undefined : readPasswordFile(flags.passwordFile);
      const force = flags.force === true;
      writeOutput(flags.out, privateKey.toPem(password === undefined ? {} : { password }), {
        force,
        secret: true,
      });
      if (flags.pub !== undefined) writeOutput(flags.pub, publicKey.toPem(), { force });
      io.stdout(
        `${flags.alg} key written to ${flags.out}${flags.pub ? ` (public key: ${flags.pub})` : ''}\n`,
      );
      setExit(ExitCode.ok);
    });
}
