/** The `govtrust` command: argv -> core -> report; the exit code comes from the result. @module */
import { Command, CommanderError } from 'commander';
import { registerKeyCommands } from './commands/key.js';
import { registerLicenceCommands } from './commands/licence.js';
import { registerPdfCommands } from './commands/pdf.js';
import { registerPdfVerifyCommand } from './commands/pdf-verify.js';
import { registerPkiCommands } from './commands/pki.js';
import { registerSealCommands } from './commands/seal.js';
import { registerRemoteLicenceCommands } from './commands/remote-licence.js';
import { registerServerCommands } from './commands/server.js';
import { registerSealImageCommands } from './commands/seal-image.js';
import { ExitCode, formatError, processIo, type CliIo } from './io.js';

/** The CLI's version (kept in step with package.json). */
export const cliVersion = '0.1.0';

/**
 * Runs the CLI with `argv` (without the node and script names) and resolves to the exit code:
 * 0 success or valid, 1 a verdict against the input, 2 unusable input or usage error.
 */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const setExit = (code: number): void => {
    exitCode = code;
  };
  const program = new Command('govtrust')
    .description(
      'GovTrust: electronic seals (GB/T 38540, PAdES) and electronic licences (电子证照)',
    )
    .version(cliVersion, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (t) => io.stdout(t),
      writeErr: (t) => io.stderr(t),
      outputError: () => undefined,
    })
    .showHelpAfterError(false);
  registerKeyCommands(program, io, setExit);
  registerPkiCommands(program, io, setExit);
  registerSealCommands(program, io, setExit);
  registerServerCommands(program, io, setExit);
  registerRemoteLicenceCommands(program, io, setExit);
  registerPdfCommands(program, io, setExit);
  registerPdfVerifyCommand(program, io, setExit);
  registerSealImageCommands(program, io, setExit);
  registerLicenceCommands(program, io, setExit);
  // exitOverride and configureOutput, set above, are inherited by every subcommand.
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return ExitCode.ok;
      if (
        err.code === 'commander.help' ||
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version'
      )
        return ExitCode.ok;
      io.stderr(`error ERR_USAGE: ${err.message.replace(/^error: /, '')}\n`);
      return ExitCode.unusable;
    }
    io.stderr(formatError(err));
    return ExitCode.unusable;
  }
}
