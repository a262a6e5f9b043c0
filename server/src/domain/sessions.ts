/**
 * Two-step signing for keys outside the server (DSS getDataToSign / signDocument): the session
 * prepares the PDF and the CMS signed attributes once, freezes every parameter server-side
 * (signing time, placement, certificate, digest) and expires; completion checks the external
 * signature, assembles the CMS (B-T: time-stamped by the in-process TSA) and seals.
 * @module
 */
import { v4 as uuidv4 } from 'uuid';
import { prepareCms } from '@govtrust/core/cms';
import {
  createHasher,
  digest,
  signatureAlgorithmInfo,
  sm2MessageDigest,
  verifySignature,
  type HashAlgorithm,
  type SignatureAlgorithm,
} from '@govtrust/core/crypto';
import { ServiceError, isGovTrustError } from '@govtrust/core/errors';
import { parseCertificate } from '@govtrust/core/pki';
import { preparePdfSeal } from '@govtrust/core/pdf';
import type { SealPosition, SigningSessionView } from '@govtrust/core/client';
import type { AuthenticatedApp } from '../http/route.js';
import type {
  ApplicationRecord,
  SealRecord,
  SessionRecord,
  UsageEntry,
} from '../storage/schema.js';
import type { DomainContext } from './context.js';
import { decideSealUse, releaseSealUse } from './grants.js';
import { pictureOf, sealAttributeOf, toPlacement } from './sealing.js';
import { appendUsage } from './usage.js';

const hex = (d: Uint8Array): string => Buffer.from(d).toString('hex');
const b64 = (d: Uint8Array): string => Buffer.from(d).toString('base64');
const fromB64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));

/** The API view of a session. */
export function sessionView(s: SessionRecord, digestForDevice: string): SigningSessionView {
  return {
    id: s.id,
    sealId: s.sealId,
    signatureAlgorithm: s.signatureAlgorithm,
    toBeSigned: s.toBeSigned,
    digest: digestForDevice,
    digestAlgorithm: s.digestAlgorithm,
    expiresAt: s.expiresAt,
    status: s.status,
  };
}

/** The session service. */
export interface SessionService {
  create(input: {
    readonly app: AuthenticatedApp;
    readonly requestId: string;
    readonly clientIp: string | undefined;
    readonly sealId: string;
    readonly position: SealPosition;
    readonly level: 'B-B' | 'B-T';
    readonly bizId?: string;
    readonly reason?: string;
    readonly file: { readonly filename: string; read(): Promise<Uint8Array> };
  }): Promise<SigningSessionView>;
  complete(input: {
    readonly app: AuthenticatedApp;
    readonly requestId: string;
    readonly clientIp: string | undefined;
    readonly sessionId: string;
    readonly signature: Uint8Array;
  }): Promise<{ application: ApplicationRecord; pdf: Uint8Array }>;
}

function cmsOptions(
  seal: SealRecord,
  s: Pick<SessionRecord, 'signatureAlgorithm' | 'pdfDigest' | 'digestAlgorithm'>,
) {
  const chain = seal.certificateChain.map(fromB64);
  const leaf = parseCertificate(chain[0]!);
  return {
    algorithm: s.signatureAlgorithm as SignatureAlgorithm,
    certificateChain: chain,
    publicKey: leaf.publicKey,
    contentDigest: fromB64(s.pdfDigest),
    digestAlgorithm: s.digestAlgorithm as HashAlgorithm,
    signedAttributes: [sealAttributeOf(seal)],
  };
}

/** What a digest-signing device signs: H(tbs), or for SM2 e = SM3(Z_A || tbs). */
function deviceDigest(
  seal: SealRecord,
  algorithm: SignatureAlgorithm,
  tbs: Uint8Array,
): Uint8Array {
  const info = signatureAlgorithmInfo(algorithm);
  const leaf = parseCertificate(fromB64(seal.certificateChain[0]!));
  if (info.keyFamily === 'sm2') return sm2MessageDigest(tbs, leaf.publicKey.sm2Point!);
  return digest(info.hash ?? 'sha256', tbs);
}

/** Creates the session service. */
export function createSessionService(ctx: DomainContext): SessionService {
  const refuse = async (
    entry: Omit<UsageEntry, 'time' | 'result'> & { code: string },
  ): Promise<void> => {
    await ctx.store.transaction(async (tx) => {
      await appendUsage(tx, { ...entry, time: ctx.now().toISOString(), result: 'refused' });
    });
    ctx.metrics.sealApplications.inc({ result: 'refused', code: entry.code });
  };
  return {
    async create(input) {
      const pdf = await input.file.read();
      const sha256Before = hex(digest('sha256', pdf));
      const base = {
        requestId: input.requestId,
        appId: input.app.appId,
        authenticated: true,
        action: 'signing-session' as const,
        sealId: input.sealId,
        level: input.level,
        positions: [input.position],
        document: { filename: input.file.filename, sha256Before, size: pdf.length },
        ...(input.bizId === undefined ? {} : { bizId: input.bizId }),
        ...(input.clientIp === undefined ? {} : { clientIp: input.clientIp }),
      };
      const decision = await ctx.store.transaction((tx) =>
        decideSealUse(tx, {
          sealId: input.sealId,
          appId: input.app.appId,
          now: ctx.now(),
          reserve: false,
        }),
      );
      if (!decision.ok) {
        await refuse({
          ...base,
          code: decision.code,
          ...(decision.grantId === undefined ? {} : { grantId: decision.grantId }),
        });
        throw new ServiceError(decision.code, undefined, { details: { sealId: input.sealId } });
      }
      const seal = decision.seal;
      if (seal.key.provider !== 'external')
        throw new ServiceError(
          'ERR_SEAL_STATE',
          'This seal signs on the server: use POST /v1/seal-applications',
          {
            details: { keyProvider: seal.key.provider },
          },
        );
      const chain = seal.certificateChain.map(fromB64);
      const leaf = parseCertificate(chain[0]!);
      const signingTime = ctx.now();
      const algorithm = seal.signatureAlgorithm as SignatureAlgorithm;
      const prepared = await preparePdfSeal(pdf, {
        signer: { algorithm, certificateChain: chain, publicKey: leaf.publicKey },
        level: input.level,
        appearance: { image: pictureOf(seal) },
        placement: toPlacement(input.position, seal),
        extraSignedAttributes: [sealAttributeOf(seal)],
        now: signingTime,
        signerName: seal.name,
        ...(input.reason === undefined ? {} : { reason: input.reason }),
        // Room for the in-process TSA's token (its size does not depend on the document).
        ...(input.level === 'B-T' ? { timestampTokenBytes: 8192 } : {}),
      });
      const id = uuidv4();
      const frozen = {
        signatureAlgorithm: algorithm,
        pdfDigest: b64(prepared.digest),
        digestAlgorithm: prepared.digestAlgorithm,
      };
      const tbs = prepareCms(cmsOptions(seal, frozen)).toBeSigned;
      // The prepared file with an empty placeholder; completion writes the CMS into it.
      const placeholderPdf = Uint8Array.from(prepared.finish(Uint8Array.of(0x30, 0x00)));
      ctx.files.write('sessions', `${id}.pdf`, placeholderPdf);
      const record: SessionRecord = {
        id,
        appId: input.app.appId,
        sealId: seal.id,
        generation: seal.generation,
        status: 'open',
        createdAt: signingTime.toISOString(),
        expiresAt: new Date(signingTime.getTime() + ctx.settings.sessionTtlMs).toISOString(),
        position: input.position,
        level: input.level,
        ...(input.bizId === undefined ? {} : { bizId: input.bizId }),
        ...(input.reason === undefined ? {} : { reason: input.reason }),
        filename: input.file.filename,
        signingTime: signingTime.toISOString(),
        sha256Before,
        size: pdf.length,
        preparedFile: `${id}.pdf`,
        byteRange: [
          prepared.byteRange[0],
          prepared.byteRange[1],
          prepared.byteRange[2],
          prepared.byteRange[3],
        ],
        contentsSize: prepared.contentsSize,
        ...frozen,
        toBeSigned: b64(tbs),
      };
      await ctx.store.insert('sessions', id, record, {
        expiresAt: Date.parse(record.expiresAt) + 86_400_000,
      });
      return sessionView(record, b64(deviceDigest(seal, algorithm, tbs)));
    },
    async complete(input) {
      const found = await ctx.store.get('sessions', input.sessionId);
      if (found === undefined || found.value.appId !== input.app.appId)
        throw new ServiceError('ERR_SESSION_NOT_FOUND', `No signing session ${input.sessionId}`);
      const session = found.value;
      if (session.status === 'completed')
        throw new ServiceError('ERR_SESSION_COMPLETED', undefined, {
          details: { applicationId: session.applicationId },
        });
      if (ctx.now().getTime() >= Date.parse(session.expiresAt))
        throw new ServiceError('ERR_SESSION_EXPIRED', undefined, {
          details: { expiredAt: session.expiresAt },
        });
      const base = {
        requestId: input.requestId,
        appId: input.app.appId,
        authenticated: true,
        action: 'signing-session-complete' as const,
        sealId: session.sealId,
        sessionId: session.id,
        level: session.level,
        positions: [session.position],
        document: {
          filename: session.filename,
          sha256Before: session.sha256Before,
          size: session.size,
        },
        ...(session.bizId === undefined ? {} : { bizId: session.bizId }),
        ...(input.clientIp === undefined ? {} : { clientIp: input.clientIp }),
      };
      // The seal or grant may have changed since the session opened: decide again, and take the use now.
      const decision = await ctx.store.transaction((tx) =>
        decideSealUse(tx, {
          sealId: session.sealId,
          appId: input.app.appId,
          now: ctx.now(),
          reserve: true,
        }),
      );
      if (!decision.ok) {
        await refuse({
          ...base,
          code: decision.code,
          ...(decision.grantId === undefined ? {} : { grantId: decision.grantId }),
        });
        throw new ServiceError(decision.code, undefined, { details: { sealId: session.sealId } });
      }
      const seal = decision.seal;
      let out: Uint8Array;
      try {
        if (seal.generation !== session.generation)
          throw new ServiceError(
            'ERR_SEAL_STATE',
            'The seal was re-made after the session opened; open a new session',
          );
        const cms = prepareCms({
          ...cmsOptions(seal, session),
          ...(session.level === 'B-T' ? { timestamp: ctx.pki.tsa.client() } : {}),
        });
        const tbs = fromB64(session.toBeSigned);
        if (Buffer.compare(Buffer.from(cms.toBeSigned), Buffer.from(tbs)) !== 0)
          throw new ServiceError(
            'ERR_INTERNAL',
            'The frozen signed attributes could not be rebuilt',
          );
        const leaf = parseCertificate(fromB64(seal.certificateChain[0]!));
        let valid = false;
        try {
          valid = verifySignature(
            session.signatureAlgorithm as SignatureAlgorithm,
            leaf.publicKey,
            tbs,
            input.signature,
          );
        } catch {
          valid = false;
        }
        if (!valid) throw new ServiceError('ERR_SESSION_SIGNATURE');
        const der = await cms.finish(input.signature);
        out = spliceContents(await ctx.files.read('sessions', session.preparedFile), session, der);
      } catch (err) {
        const code = isGovTrustError(err) ? err.code : 'ERR_INTERNAL';
        await ctx.store.transaction(async (tx) => {
          await releaseSealUse(tx, decision.grant.id);
          await appendUsage(tx, {
            ...base,
            time: ctx.now().toISOString(),
            result: 'failed',
            code,
            grantId: decision.grant.id,
          });
        });
        ctx.metrics.sealApplications.inc({ result: 'failed', code });
        throw err;
      }
      const id = uuidv4();
      const sha256After = hex(digest('sha256', out));
      await ctx.files.persist('results', `${id}.pdf`, out);
      const createdAt = ctx.now().toISOString();
      const application = await ctx.store.transaction(async (tx) => {
        const current = await tx.get('sessions', session.id);
        if (current?.value.status !== 'open') throw new ServiceError('ERR_SESSION_COMPLETED');
        const usageSeq = await appendUsage(tx, {
          ...base,
          time: createdAt,
          result: 'sealed',
          grantId: decision.grant.id,
          applicationId: id,
          sealGeneration: seal.generation,
          certificateSerialNumber: seal.certificate.serialNumber,
          document: { ...base.document, sha256After },
        });
        const record: ApplicationRecord = {
          id,
          appId: input.app.appId,
          sealId: seal.id,
          grantId: decision.grant.id,
          ...(session.bizId === undefined ? {} : { bizId: session.bizId }),
          level: session.level,
          positions: [session.position],
          mode: 'two-step',
          document: { ...base.document, sha256After },
          resultFile: `${id}.pdf`,
          usageSeq,
          createdAt,
        };
        await tx.insert('applications', id, record);
        await tx.put(
          'sessions',
          session.id,
          { ...current.value, status: 'completed', applicationId: id },
          { ifVersion: current.version },
        );
        return record;
      });
      ctx.metrics.sealApplications.inc({ result: 'sealed', code: '' });
      return { application, pdf: out };
    },
  };
}

/**
 * Writes the CMS into the /Contents placeholder of a prepared PDF (ISO 32000-1 12.8.1): hex at
 * byteRange[1] + 1, zeros to the closing '>'. The same two steps as `PreparedPdfSeal.finish`,
 * repeated here because a session must survive the process that prepared it.
 * @throws {ServiceError} ERR_INTERNAL when the stored file no longer matches the frozen digest
 */
function spliceContents(pdf: Uint8Array, s: SessionRecord, cms: Uint8Array): Uint8Array {
  const [, b, c] = s.byteRange;
  if (cms.length > s.contentsSize || pdf[b] !== 0x3c || pdf[c - 1] !== 0x3e)
    throw new ServiceError('ERR_INTERNAL', 'The prepared document does not fit the session');
  const h = createHasher(s.digestAlgorithm as HashAlgorithm);
  h.update(pdf.subarray(0, b));
  h.update(pdf.subarray(c));
  if (h.digest('base64') !== s.pdfDigest)
    throw new ServiceError(
      'ERR_INTERNAL',
      'The prepared document changed since the session opened',
    );
  const view = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  view.write(Buffer.from(cms).toString('hex'), b + 1, 'latin1');
  view.fill(0x30, b + 1 + cms.length * 2, c - 1);
  return pdf;
}
