/** `@govtrust/server`: the GovTrust seal service (express app factory, configuration, runner). @module */
export { createApp } from './app.js';
export type { AppDeps } from './app.js';
export { createServer, serverVersion } from './server.js';
export type { GovTrustServer, CreateServerOptions } from './server.js';
export { loadConfig, configSchema, environmentVariables } from './config.js';
export type { ServerConfig } from './config.js';
export { runServer } from './main.js';
export type { RunServerOptions, RunningServer } from './main.js';
export { httpErrorTable, httpErrorFor, areaDefaults } from './http/errors.js';
export { makeDemoPdf } from './demo-document.js';
export type { BootstrapResult } from './bootstrap.js';
export { ServerTiming, parseServerTiming } from './http/timing.js';
