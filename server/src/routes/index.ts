/** The one route table of the server: operations, PKI, seal service, licence and verifier routes in the order they are matched. @module */
import type { RouteDef } from '../http/route.js';
import type { ServerPki } from '../domain/pki.js';
import { opsRoutes, type OpsDeps } from './ops.js';
import { pkiRoutes } from './pki.js';
import { licenceRoutes, type LicenceRouteDeps } from './licences.js';
import { sealServiceRoutes, type SealServiceDeps } from './seal-service.js';
import { verifierRoutes, type VerifierRouteDeps } from './verifier.js';

/** Builds the route table. */
export function buildRoutes(deps: {
  readonly ops: Omit<OpsDeps, 'openApi' | 'docsPage'> & {
    readonly openApi: (routes: readonly RouteDef[]) => Record<string, unknown>;
    readonly docsPage: (doc: Record<string, unknown>) => string;
  };
  readonly pki: ServerPki;
  readonly sealService: SealServiceDeps;
  readonly licences?: LicenceRouteDeps;
  /** The directory cascade's routes (cascade/routes.ts). */
  readonly cascade?: readonly RouteDef[];
  readonly verifier?: VerifierRouteDeps;
}): RouteDef[] {
  const routes: RouteDef[] = [];
  let doc: Record<string, unknown> | undefined;
  const openApi = (): Record<string, unknown> => (doc ??= deps.ops.openApi(routes));
  routes.push(
    ...opsRoutes({ ...deps.ops, openApi, docsPage: () => deps.ops.docsPage(openApi()) }),
    ...pkiRoutes(deps.pki),
    ...sealServiceRoutes(deps.sealService),
    ...(deps.licences === undefined ? [] : licenceRoutes(deps.licences)),
    ...(deps.cascade ?? []),
  );
  if (deps.verifier !== undefined) routes.push(...verifierRoutes(deps.verifier));
  return routes;
}
