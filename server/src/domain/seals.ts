/**
 * Seal lifecycle after 国办发〔2025〕33号《电子印章管理办法》: make (key, certificate, GB/T 38540 seal),
 * suspend / resume (停用 / 恢复), report loss (挂失), cancel (注销), revoke (吊销) with the
 * certificate revoked in CRL and OCSP, re-make (重新制作), and the public status for verifiers.
 * @module
 */
import { readFileSync } from 'node:fs';
import { v4 as uuidv4 } from 'uuid';
import {
  importPkcs12,
  importPublicKey,
  openPkcs11Signer,
  type PublicKey,
  type Signer,
} from '@govtrust/core/crypto';
import { InvalidInputError, ServiceError, isGovTrustError } from '@govtrust/core/errors';
import { parseCertificate, type Certificate, type RevocationReason } from '@govtrust/core/pki';
import { createSealId, drawSeal, makeSeal, sealToPng } from '@govtrust/core/seal';
import type { SealStatus, SealStatusView, SealView } from '@govtrust/core/client';
import type { KeyRef, SealRecord, ServerTx } from '../storage/schema.js';
import { audit, type DomainContext } from './context.js';
import { keyAlgorithmOfSet } from './pki.js';

/** How a new seal gets its key. */
export type SealKeyInput =
  | { readonly provider: 'generate'; readonly algorithm?: 'rsa' | 'p256' | 'sm2' | undefined }
  | { readonly provider: 'pkcs12'; readonly path: string; readonly passwordFile: string }
  | {
      readonly provider: 'pkcs11';
      readonly module: string;
      readonly tokenLabel?: string | undefined;
      readonly keyLabel?: string | undefined;
      readonly keyId?: string | undefined;
      readonly pinFile: string;
      /** The token key's public key (PEM): the server CA certifies it. */
      readonly publicKey?: string | undefined;
      /** Or the key's certificate chain (DER base64, signer first); default: the certificate on the token. */
      readonly certificateChain?: readonly string[] | undefined;
    }
  | { readonly provider: 'external'; readonly certificateChain: readonly string[] };

/** What making a seal needs. */
export interface CreateSealInput {
  readonly name: string;
  readonly type?: number | undefined;
  readonly organisation: { readonly name: string; readonly code?: string | undefined };
  readonly esID?: string | undefined;
  readonly key?: SealKeyInput | undefined;
  readonly validDays?: number | undefined;
  readonly picturePng?: string | undefined;
  readonly widthMm?: number | undefined;
  readonly heightMm?: number | undefined;
}

/** Lifecycle actions on a seal. */
export type SealAction = 'suspend' | 'resume' | 'report-loss' | 'cancel' | 'revoke' | 'remake';

/** From which states each action may start (terminal: cancelled, revoked). */
const allowedFrom: Readonly<Record<SealAction, readonly SealStatus[]>> = {
  suspend: ['active'],
  resume: ['suspended'],
  'report-loss': ['active', 'suspended'],
  cancel: ['active', 'suspended', 'lost'],
  revoke: ['active', 'suspended', 'lost'],
  remake: ['active', 'suspended', 'lost'],
};

const statusAfter: Readonly<Record<Exclude<SealAction, 'remake'>, SealStatus>> = {
  suspend: 'suspended',
  resume: 'active',
  'report-loss': 'lost',
  cancel: 'cancelled',
  revoke: 'revoked',
};

/** Certificate revocation reason of each action (RFC 5280 5.3.1); undefined: the certificate stays. */
const revocationReasonOf: Readonly<Partial<Record<SealAction, RevocationReason>>> = {
  // A lost seal's key may be in other hands: relying parties must refuse it at once.
  'report-loss': 'keyCompromise',
  cancel: 'cessationOfOperation',
  revoke: 'privilegeWithdrawn',
};

const statusCode = {
  suspended: 'ERR_SEAL_SUSPENDED',
  lost: 'ERR_SEAL_LOST',
  cancelled: 'ERR_SEAL_CANCELLED',
  revoked: 'ERR_SEAL_REVOKED',
} as const;

/** The refusal code of a seal that is not active. */
export function sealStatusRefusal(
  status: SealStatus,
): (typeof statusCode)[keyof typeof statusCode] | undefined {
  return status === 'active' ? undefined : statusCode[status];
}

/** The API view of a seal record. */
export function sealView(r: SealRecord): SealView {
  return {
    id: r.id,
    esID: r.esID,
    name: r.name,
    type: r.type,
    organisation: r.organisation,
    status: r.status,
    ...(r.statusReason === undefined ? {} : { statusReason: r.statusReason }),
    generation: r.generation,
    key: { provider: r.key.provider, algorithm: r.signatureAlgorithm },
    certificate: r.certificate,
    certificateChain: r.certificateChain,
    sealData: r.sealData,
    validFrom: r.validFrom,
    validTo: r.validTo,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/** The public status view. */
export function sealStatusView(r: SealRecord): SealStatusView {
  return {
    id: r.id,
    esID: r.esID,
    name: r.name,
    status: r.status,
    since: r.statusSince,
    generation: r.generation,
    certificateSerialNumber: r.certificate.serialNumber,
    validFrom: r.validFrom,
    validTo: r.validTo,
  };
}

const b64 = (d: Uint8Array): string => Buffer.from(d).toString('base64');
const keyContext = (id: string, generation: number): string => `seal:${id}:gen:${generation}`;

/** The seal service. */
export interface SealService {
  create(input: CreateSealInput, actor: string, requestId: string | null): Promise<SealRecord>;
  get(id: string): Promise<SealRecord>;
  list(): Promise<readonly SealRecord[]>;
  act(
    id: string,
    action: SealAction,
    reason: string | undefined,
    actor: string,
    requestId: string,
  ): Promise<SealRecord>;
  /** The signer of an active seal with a server-side key. */
  signer(seal: SealRecord): Promise<Signer>;
  /** True when the key of the seal can be used now (readiness, metrics). */
  keyUsable(seal: SealRecord): Promise<boolean>;
}

interface MadeMaterial {
  readonly key: KeyRef;
  readonly signatureAlgorithm: string;
  readonly chain: readonly Certificate[];
  readonly sealDer: Uint8Array;
  readonly validFrom: Date;
  readonly validTo: Date;
}

/** Creates the seal service. */
export function createSealService(ctx: DomainContext): SealService {
  const makerSet =
    ctx.pki.set('sm2')?.sealMaker !== undefined
      ? ctx.pki.set('sm2')
      : ctx.pki.algorithms.find((s) => s.sealMaker !== undefined);

  /** Key, certificate and GB/T 38540 seal for one generation. */
  const makeMaterial = async (
    id: string,
    generation: number,
    input: CreateSealInput,
    esID: string,
    picture: Uint8Array,
    size: { widthMm: number; heightMm: number },
  ): Promise<MadeMaterial> => {
    const now = ctx.now();
    const validDays = input.validDays ?? ctx.settings.sealValidityDays;
    if (!Number.isInteger(validDays) || validDays < 1 || validDays > 3650)
      throw new InvalidInputError('validDays must be 1-3650', { field: 'validDays' });
    const notAfter = new Date(now.getTime() + validDays * 86_400_000);
    const subject = {
      C: 'CN',
      O: input.organisation.name,
      ...(input.organisation.code === undefined ? {} : { OU: input.organisation.code }),
      CN: input.name,
    };
    const k = input.key ?? { provider: 'generate' as const };
    let key: KeyRef | undefined;
    let chain: Certificate[] | undefined;
    const issue = async (algorithm: string, publicKey: PublicKey): Promise<Certificate[]> => {
      const issued = await ctx.pki.issueSealCertificate({
        algorithm,
        subject,
        publicKey,
        notBefore: now,
        notAfter,
      });
      return [...issued.chain];
    };
    switch (k.provider) {
      case 'generate': {
        const alg = k.algorithm ?? 'p256';
        if (ctx.pki.set(alg) === undefined)
          throw new InvalidInputError(`The server has no ${alg} CA`, { field: 'key.algorithm' });
        const generated = ctx.keys.generate(keyContext(id, generation), keyAlgorithmOfSet[alg]!);
        chain = await issue(alg, generated.publicKey);
        key = generated.ref;
        break;
      }
      case 'pkcs12': {
        let certs: Uint8Array[];
        try {
          certs = importPkcs12(
            new Uint8Array(readFileSync(k.path)),
            readFileSync(k.passwordFile, 'utf8').replace(/\r?\n$/, ''),
          ).certificates;
        } catch (err) {
          throw new ServiceError('ERR_SEAL_KEY_UNAVAILABLE', 'The PKCS#12 file cannot be opened', {
            cause: err,
          });
        }
        if (certs.length === 0)
          throw new InvalidInputError('The PKCS#12 file has no certificate', { field: 'key.path' });
        chain = certs.map((c) => parseCertificate(c));
        key = {
          provider: 'pkcs12',
          algorithm: chain[0]!.publicKey.type,
          path: k.path,
          passwordFile: k.passwordFile,
        };
        break;
      }
      case 'pkcs11': {
        // The token key's certificate: uploaded, issued here for the given public key, or read from the token.
        let given: Certificate[] | undefined;
        if (k.certificateChain !== undefined && k.certificateChain.length > 0)
          given = k.certificateChain.map((c) =>
            parseCertificate(new Uint8Array(Buffer.from(c, 'base64'))),
          );
        else if (k.publicKey !== undefined) {
          const pub = importPublicKey(k.publicKey);
          given = await issue(
            pub.type === 'sm2' ? 'sm2' : pub.type === 'rsa' ? 'rsa' : 'p256',
            pub,
          );
        }
        try {
          const s = await openPkcs11Signer({
            module: k.module,
            pin: readFileSync(k.pinFile, 'utf8').replace(/\r?\n$/, ''),
            ...(k.tokenLabel === undefined ? {} : { tokenLabel: k.tokenLabel }),
            ...(k.keyLabel === undefined ? {} : { keyLabel: k.keyLabel }),
            ...(k.keyId === undefined
              ? {}
              : { keyId: new Uint8Array(Buffer.from(k.keyId, 'hex')) }),
            ...(given === undefined ? {} : { certificateChain: given.map((c) => c.der) }),
          });
          try {
            // A probe signature, checked against the certificate: the token key must be the certified key.
            await s.sign(new TextEncoder().encode(`govtrust seal key probe ${id}`));
            chain = given ?? s.certificateChain.map((c) => parseCertificate(c));
          } finally {
            s.close();
          }
        } catch (err) {
          throw new ServiceError(
            'ERR_SEAL_KEY_UNAVAILABLE',
            `The PKCS#11 key cannot be used${isGovTrustError(err) ? ` (${err.code}: ${err.message})` : ''}`,
            { cause: err },
          );
        }
        key = {
          provider: 'pkcs11',
          algorithm: chain[0]!.publicKey.type,
          module: k.module,
          pinFile: k.pinFile,
          ...(k.tokenLabel === undefined ? {} : { tokenLabel: k.tokenLabel }),
          ...(k.keyLabel === undefined ? {} : { keyLabel: k.keyLabel }),
          ...(k.keyId === undefined ? {} : { keyId: k.keyId }),
        };
        break;
      }
      case 'external': {
        if (k.certificateChain.length === 0)
          throw new InvalidInputError('An external key needs its certificate chain', {
            field: 'key.certificateChain',
          });
        chain = k.certificateChain.map((c) =>
          parseCertificate(new Uint8Array(Buffer.from(c, 'base64'))),
        );
        key = { provider: 'external', algorithm: chain[0]!.publicKey.type };
        break;
      }
    }
    const leaf = chain[0]!;
    if (ctx.pki.isOwnIssued(leaf)) await ctx.pki.recordCertificate(leaf);
    if (makerSet?.sealMaker === undefined)
      throw new ServiceError('ERR_SERVICE_UNAVAILABLE', 'The server has no seal-making identity');
    const validFrom = now;
    const validTo = new Date(Math.min(notAfter.getTime(), leaf.notAfter.getTime()));
    const seal = await makeSeal({
      maker: makerSet.sealMaker.signer,
      holderCertificates: [leaf.der],
      name: input.name,
      type: input.type ?? 1,
      esID,
      picture: { type: 'PNG', data: picture, width: size.widthMm, height: size.heightMm },
      validity: { from: validFrom, to: validTo },
      now,
      allowNonStandardAlgorithm: makerSet.algorithm !== 'sm2',
    });
    return {
      key,
      signatureAlgorithm: defaultAlgorithmName(leaf),
      chain,
      sealDer: seal.der,
      validFrom,
      validTo,
    };
  };

  const get = async (
    id: string,
    tx?: ServerTx,
  ): Promise<{ value: SealRecord; version: number }> => {
    const r = await (tx ?? ctx.store).get('seals', id);
    if (r === undefined)
      throw new ServiceError('ERR_SEAL_NOT_FOUND', `No seal ${id}`, { details: { sealId: id } });
    return r;
  };

  const service: SealService = {
    async create(input, actor, requestId) {
      const id = uuidv4();
      const esID = input.esID ?? createSealId();
      const widthMm = input.widthMm ?? 42;
      const heightMm = input.heightMm ?? widthMm;
      const picture =
        input.picturePng === undefined
          ? await drawDefaultPicture(input.organisation.name, input.name, widthMm)
          : new Uint8Array(Buffer.from(input.picturePng, 'base64'));
      const m = await makeMaterial(id, 1, input, esID, picture, { widthMm, heightMm });
      const now = ctx.now().toISOString();
      const leaf = m.chain[0]!;
      const record: SealRecord = {
        id,
        esID,
        name: input.name,
        type: input.type ?? 1,
        organisation: {
          name: input.organisation.name,
          ...(input.organisation.code === undefined ? {} : { code: input.organisation.code }),
        },
        status: 'active',
        statusSince: now,
        generation: 1,
        key: m.key,
        signatureAlgorithm: m.signatureAlgorithm,
        certificateChain: m.chain.map((c) => b64(c.der)),
        certificate: certificateFacts(leaf),
        sealData: b64(m.sealDer),
        picture: b64(picture),
        widthMm,
        heightMm,
        validFrom: m.validFrom.toISOString(),
        validTo: m.validTo.toISOString(),
        createdAt: now,
        updatedAt: now,
        history: [],
      };
      await ctx.store.transaction(async (tx) => {
        await tx.insert('seals', id, record);
        await audit(tx, ctx, {
          requestId,
          actor,
          action: 'seal.created',
          target: `seal:${id}`,
          details: {
            esID,
            name: input.name,
            keyProvider: m.key.provider,
            certificateSerialNumber: leaf.serialNumber,
          },
        });
      });
      return record;
    },
    async get(id) {
      return (await get(id)).value;
    },
    async list() {
      const out: SealRecord[] = [];
      let after: string | undefined;
      for (let i = 0; i < 1000; i++) {
        const page = await ctx.store.query('seals', {
          limit: 1000,
          ...(after === undefined ? {} : { after }),
        });
        out.push(...page.items.map((x) => x.value));
        if (page.next === undefined) break;
        after = page.next;
      }
      return out;
    },
    async act(id, action, reason, actor, requestId) {
      const current = await get(id);
      const seal = current.value;
      if (!allowedFrom[action].includes(seal.status))
        throw new ServiceError(
          'ERR_SEAL_STATE',
          `A ${seal.status} seal cannot be ${action === 'report-loss' ? 'reported lost' : `${action}d`}`,
          {
            details: { status: seal.status, action },
          },
        );
      const now = ctx.now();
      const leaf = parseCertificate(
        new Uint8Array(Buffer.from(seal.certificateChain[0]!, 'base64')),
      );
      let next: SealRecord;
      if (action === 'remake') {
        // 重新制作: a new key and certificate under the same seal identity; the old certificate is retired.
        const picture = new Uint8Array(Buffer.from(seal.picture, 'base64'));
        // Only a key the server generated can be replaced by the server; a token or file key is
        // re-made by making the seal again with the holder's new key.
        const keyInput: SealKeyInput | undefined =
          seal.key.provider === 'software'
            ? { provider: 'generate', algorithm: algorithmSetOf(leaf) }
            : undefined;
        if (keyInput === undefined)
          throw new ServiceError(
            'ERR_SEAL_STATE',
            `A seal with a ${seal.key.provider} key is re-made by making it again with the new key`,
            {
              details: { provider: seal.key.provider },
            },
          );
        const generation = seal.generation + 1;
        const m = await makeMaterial(
          id,
          generation,
          { name: seal.name, type: seal.type, organisation: seal.organisation, key: keyInput },
          seal.esID,
          picture,
          { widthMm: seal.widthMm, heightMm: seal.heightMm },
        );
        if (ctx.pki.isOwnIssued(leaf))
          await ctx.pki.revokeCertificate(leaf, {
            at: now,
            reason: seal.status === 'lost' ? 'keyCompromise' : 'superseded',
          });
        next = {
          ...seal,
          status: 'active',
          statusSince: now.toISOString(),
          generation,
          key: m.key,
          signatureAlgorithm: m.signatureAlgorithm,
          certificateChain: m.chain.map((c) => b64(c.der)),
          certificate: certificateFacts(m.chain[0]!),
          sealData: b64(m.sealDer),
          validFrom: m.validFrom.toISOString(),
          validTo: m.validTo.toISOString(),
          updatedAt: now.toISOString(),
          history: [
            ...seal.history,
            {
              generation: seal.generation,
              certificateSerialNumber: seal.certificate.serialNumber,
              certificateIssuer: seal.certificate.issuer,
              retiredAt: now.toISOString(),
              reason: reason ?? 'remade',
            },
          ],
        };
        const { statusReason: _dropped, ...rest } = next;
        next = rest;
      } else {
        const reasonCode = revocationReasonOf[action];
        if (reasonCode !== undefined && ctx.pki.isOwnIssued(leaf))
          await ctx.pki.revokeCertificate(leaf, { at: now, reason: reasonCode });
        const { statusReason: _old, ...rest } = seal;
        next = {
          ...rest,
          status: statusAfter[action],
          statusSince: now.toISOString(),
          ...(reason === undefined ? {} : { statusReason: reason }),
          updatedAt: now.toISOString(),
        };
      }
      await ctx.store.transaction(async (tx) => {
        await tx.put('seals', id, next, { ifVersion: current.version });
        await audit(tx, ctx, {
          requestId,
          actor,
          action: `seal.${action}`,
          target: `seal:${id}`,
          details: {
            from: seal.status,
            to: next.status,
            generation: next.generation,
            certificateSerialNumber: next.certificate.serialNumber,
            ...(reason === undefined ? {} : { reason }),
          },
        });
      });
      ctx.keys.forget(`${id}:${seal.generation}`);
      return next;
    },
    async signer(seal) {
      return ctx.keys.signer(
        `${seal.id}:${seal.generation}`,
        keyContext(seal.id, seal.generation),
        seal.key,
        seal.certificateChain.map((c) => new Uint8Array(Buffer.from(c, 'base64'))),
      );
    },
    async keyUsable(seal) {
      if (seal.key.provider === 'external') return true;
      if (new Date(seal.certificate.notAfter).getTime() < ctx.now().getTime()) return false;
      try {
        await service.signer(seal);
        return true;
      } catch {
        return false;
      }
    },
  };
  return service;
}

/** The default seal picture: organisation name on the arc, star, seal name at the bottom when it fits. */
async function drawDefaultPicture(
  organisation: string,
  name: string,
  sizeMm: number,
): Promise<Uint8Array> {
  const base = { shape: 'round' as const, text: organisation, star: true, sizeMm };
  let drawing;
  try {
    drawing = drawSeal(name === organisation ? base : { ...base, bottomText: name });
  } catch (err) {
    // A long seal name does not fit the bottom line: the organisation name alone still identifies it.
    if (!isGovTrustError(err) || !err.code.startsWith('ERR_SEAL_IMAGE_')) throw err;
    drawing = drawSeal(base);
  }
  return sealToPng(drawing, { dpi: 300 });
}

function certificateFacts(c: Certificate): SealRecord['certificate'] {
  return {
    subject: c.subject,
    issuer: c.issuer,
    serialNumber: c.serialNumber,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
  };
}

function algorithmSetOf(c: Certificate): 'rsa' | 'p256' | 'sm2' {
  return c.publicKey.type === 'sm2' ? 'sm2' : c.publicKey.type === 'rsa' ? 'rsa' : 'p256';
}

function defaultAlgorithmName(c: Certificate): string {
  switch (c.publicKey.type) {
    case 'sm2':
      return 'sm2-sm3';
    case 'rsa':
      return 'rsa-pkcs1-sha256';
    case 'rsa-pss':
      return 'rsa-pss-sha256';
    case 'ed25519':
      return 'ed25519';
    case 'ec':
      return c.publicKey.curve === 'P-384' ? 'ecdsa-sha384' : 'ecdsa-sha256';
  }
}
