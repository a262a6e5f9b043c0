/**
 * Licence test helpers (CONTRACTS.md): a sample licence type, a licence issuer and an issuer app
 * set up once per test server, `issueTestLicence` over HTTP and `revokeTestLicence`.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { GovTrustClient } from '@govtrust/core/client';
import { addYears, chinaDate } from '@govtrust/core/licence';
import type { TestServer } from './helpers.js';

/** The samples folder of the repository. */
export const SAMPLES_DIR = resolve(import.meta.dirname, '../../samples');

/** The sample licence type (建筑施工特种作业人员操作资格证书) and its test issuer. */
export const TEST_LICENCE_TYPE = '11100000000013338W032';
export const TEST_ISSUER_CODE = '11220000013544541J';
export const TEST_ISSUER_NAME = '吉林省住房和城乡建设厅';
/** The test holder: 张小明 (masked 张*明), 公民身份号码 110105199003077016 (masked 1101**********7016). */
export const TEST_HOLDER = {
  name: '张小明',
  code: '110105199003077016',
  codeTypeCode: '111',
} as const;

/** The licence set-up of one test server. */
export interface LicenceSetup {
  /** An app with the issuer and verifier roles managing the test issuer. */
  readonly issuer: GovTrustClient;
  readonly issuerAppId: string;
  readonly typeCode: string;
  readonly issuerCode: string;
}

const setups = new WeakMap<TestServer, Promise<LicenceSetup>>();

async function ok(res: { status: number; body: Uint8Array }, what: string): Promise<unknown> {
  const text = new TextDecoder().decode(res.body);
  if (res.status >= 300) throw new Error(`${what}: HTTP ${res.status} ${text}`);
  return Promise.resolve(text === '' ? undefined : (JSON.parse(text) as unknown));
}

/** Sets the sample type, the issuer and an issuer app up once per server (idempotent). */
export function licenceSetup(t: TestServer): Promise<LicenceSetup> {
  let s = setups.get(t);
  if (s === undefined) {
    s = (async (): Promise<LicenceSetup> => {
      const type = JSON.parse(
        readFileSync(
          join(SAMPLES_DIR, 'licence-types', 'construction-special-operations.json'),
          'utf8',
        ),
      ) as unknown;
      await ok(await t.admin.request('PUT', '/v1/licence-types', { json: type }), 'put type');
      const issuers = (await ok(
        await t.admin.request('GET', '/v1/licence-issuers'),
        'list issuers',
      )) as { items: { code: string }[] };
      if (!issuers.items.some((i) => i.code === TEST_ISSUER_CODE))
        await ok(
          await t.admin.request('POST', '/v1/licence-issuers', {
            json: { code: TEST_ISSUER_CODE, name: TEST_ISSUER_NAME },
          }),
          'create issuer',
        );
      const app = await t.admin.createApp({
        name: 'Test licence issuer',
        roles: ['issuer', 'verifier'],
      });
      await ok(
        await t.admin.request('PUT', `/v1/apps/${app.appId}/licence-rights`, {
          json: { issuers: [TEST_ISSUER_CODE], lookupTypes: [], lookupAreas: [] },
        }),
        'set rights',
      );
      return {
        issuer: t.client(app.appId, app.secret!),
        issuerAppId: app.appId,
        typeCode: TEST_LICENCE_TYPE,
        issuerCode: TEST_ISSUER_CODE,
      };
    })();
    setups.set(t, s);
  }
  return s;
}

/** Options of `issueTestLicence`. */
export interface IssueTestLicenceOptions {
  readonly holder?: { readonly name: string; readonly code: string; readonly codeTypeCode: string };
  readonly number?: string;
  /** Default: today (server clock) for one year. */
  readonly validFrom?: string;
  readonly validUntil?: string;
}

/** What `issueTestLicence` answers. */
export interface TestLicence {
  readonly identifier: string;
  /** The QR code's text: `<publicUrl>/verify?id=..&d=..`. */
  readonly qrText: string;
  /** The QR URL's path and query: `/verify?id=..&d=..`. */
  readonly faceUrlPath: string;
  /** The digest `d`. */
  readonly digest: string;
  readonly faceBytes: Uint8Array;
  readonly dataBytes: Uint8Array;
}

/** Issues a licence of the sample type over HTTP (POST /v1/licences as the test issuer app). */
export async function issueTestLicence(
  t: TestServer,
  opts: IssueTestLicenceOptions = {},
): Promise<TestLicence> {
  const setup = await licenceSetup(t);
  const today = chinaDate(t.server.context.now());
  const validFrom = opts.validFrom ?? today;
  const r = (await ok(
    await setup.issuer.request('POST', '/v1/licences', {
      json: {
        typeCode: setup.typeCode,
        number: opts.number ?? `吉A04${String(Date.now()).slice(-10)}`,
        holder: opts.holder ?? TEST_HOLDER,
        issueDate: validFrom,
        validFrom,
        validUntil: opts.validUntil ?? addYears(validFrom, 1),
        areaCode: '220000',
        fields: {
          sex: '男',
          birthDate: '1990-03-07',
          operationCategory: '建筑电工',
          firstIssuedOn: '2019-01-09',
        },
      },
    }),
    'issue',
  )) as {
    licence: { identifier: string; qrText: string; digest: string };
    face: string;
    signedData: unknown;
  };
  const url = new URL(r.licence.qrText);
  return {
    identifier: r.licence.identifier,
    qrText: r.licence.qrText,
    faceUrlPath: `${url.pathname}${url.search}`,
    digest: r.licence.digest,
    faceBytes: new Uint8Array(Buffer.from(r.face, 'base64')),
    dataBytes: new TextEncoder().encode(`${JSON.stringify(r.signedData, null, 2)}\n`),
  };
}

/** Revokes a licence over HTTP (reason revoke.penalty) as the test issuer app. */
export async function revokeTestLicence(t: TestServer, identifier: string): Promise<void> {
  const setup = await licenceSetup(t);
  await ok(
    await setup.issuer.request('POST', `/v1/licences/${identifier}/revoke`, {
      json: { reasonCode: 'revoke.penalty', reason: '测试吊销' },
    }),
    'revoke',
  );
}
