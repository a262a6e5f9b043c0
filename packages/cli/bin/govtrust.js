#!/usr/bin/env node
// Entry point of the published package: runs the compiled CLI.
import { main } from '../dist/main.js';

process.exitCode = await main(process.argv.slice(2));
