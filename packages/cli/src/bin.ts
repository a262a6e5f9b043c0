/** Runs the CLI from source (`pnpm govtrust ...`); the published package uses bin/govtrust.js. @module */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
