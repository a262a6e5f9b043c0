/**
 * The server entry: reads the configuration (file, then GOVTRUST_* environment, then flags),
 * prepares a data folder on first start, builds the app and listens. `govtrust serve` and
 * `pnpm start` call `runServer`; `node main.js` runs it directly.
 * @module
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import { needsBootstrap, prepareDataDir, seedDemo, type BootstrapResult } from './bootstrap.js';
import { loadConfig, type ServerConfig } from './config.js';
import { createServer, type GovTrustServer } from './server.js';

/** Options of `runServer`. */
export interface RunServerOptions {
  readonly configFile?: string;
  readonly dataDir?: string;
  readonly port?: number;
  readonly host?: string;
  /** Cascade mode (`govtrust serve --mode national`). */
  readonly mode?: 'provincial' | 'national';
  /** Default: the process environment. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where the start-up text goes (default stdout). */
  readonly print?: (text: string) => void;
}

/** A running server. */
export interface RunningServer {
  readonly url: string;
  readonly server: GovTrustServer;
  readonly http: Server;
  readonly bootstrap: BootstrapResult | undefined;
  stop(): Promise<void>;
}

function quickStart(url: string, b: BootstrapResult): string {
  return `
First start: created a DEV ONLY data folder (master key, PKI, credentials, a demo seal, a demo licence).
  admin app:  ${b.adminAppId}   secret in ${b.adminSecretFile}
  demo app:   ${b.demoAppId}   secret in ${b.demoSecretFile}
  demo seal:  ${b.demoSealId}   (granted to the demo app)

Seal the demo PDF (page/x/y, then keyword), from the repository root:
  pnpm govtrust remote seal --server ${url} --app-id ${b.demoAppId} --secret-file ${b.demoSecretFile} \\
    --seal ${b.demoSealId} --in ${b.demoPdf} --out sealed.pdf --page 1 --x 120 --y 140 --keyword "Seal here:"

Check it: pdfsig sealed.pdf   ("Signature is Valid"; to trust the DEV root as well:
  certutil -N -d sql:nss --empty-password && certutil -A -d sql:nss -n govtrust-dev -t CT,C,C -i ${b.pkiRoot}
  pdfsig -nssdir sql:nss sealed.pdf)

Public endpoints (no credentials):
  curl ${url}/readyz
  curl ${url}/v1/seals/${b.demoSealId}/status
  curl -o ca.crl ${url}/crl/p256-intermediate.crl
Demo licence (电子证照): ${b.demoLicence.identifier}
  face ${b.demoLicence.face}, signed data ${b.demoLicence.data}
  QR code (the verifier page, open it in a browser): ${b.demoLicence.qrText}
  pnpm govtrust remote licence-verify ${b.demoLicence.face} --server ${url} --app-id ${b.demoAppId} \\
    --secret-file ${b.demoSecretFile} --use-cause 演示核验
  curl "${url}/v1/public/licences/${b.demoLicence.identifier}?d=${b.demoLicence.digest}&useCause=%E6%BC%94%E7%A4%BA%E6%A0%B8%E9%AA%8C"

Verifier page (drop a sealed PDF, an OFD or a licence file): ${url}/verify
API description: ${url}/docs and ${url}/openapi.json
`;
}

/**
 * Starts the server and resolves once it listens.
 * @throws {InvalidInputError} ERR_INVALID_INPUT for a bad configuration
 */
export async function runServer(options: RunServerOptions = {}): Promise<RunningServer> {
  const print = options.print ?? ((t: string): void => void process.stdout.write(t));
  const config: ServerConfig = loadConfig({
    ...(options.configFile === undefined ? {} : { file: options.configFile }),
    env: options.env ?? process.env,
    overrides: {
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.host === undefined ? {} : { host: options.host }),
      ...(options.mode === undefined ? {} : { mode: options.mode }),
    },
  });
  const first = needsBootstrap(config);
  const configuredUrl = config.publicUrl ?? `http://${config.host}:${config.port}`;
  if (first) await prepareDataDir(config, configuredUrl);
  const server = await createServer(config);
  const http = server.app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    http.once('listening', resolve);
    http.once('error', reject);
  });
  http.requestTimeout = 300_000;
  http.headersTimeout = 30_000;
  const port = (http.address() as AddressInfo).port;
  const url = config.publicUrl ?? `http://${config.host}:${port}`;
  const bootstrap = first ? await seedDemo(server) : undefined;
  server.cascade.start();
  const timer = setInterval(() => {
    void server
      .maintenance()
      .catch((err: unknown) => server.context.logger.warn({ err }, 'maintenance failed'));
  }, 60_000);
  timer.unref();
  const cascadeLine =
    config.mode === 'national'
      ? `Cascade: national node ${config.node.id}, ${config.nodes.length} registered node(s)\n`
      : config.national === undefined
        ? ''
        : `Cascade: provincial node ${config.node.id}, reporting to ${config.national.url}\n`;
  print(
    `GovTrust seal service listening on ${url} (data: ${config.dataDir})\n${cascadeLine}${bootstrap === undefined ? '' : quickStart(url, bootstrap)}`,
  );
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      clearInterval(timer);
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeIdleConnections();
      });
      await server.close();
    })());
  return { url, server, http, bootstrap, stop };
}

// Run directly: node server/dist/main.js (or tsx server/src/main.ts).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const running = await runServer();
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      void running.stop().then(() => process.exit(0));
    });
}
