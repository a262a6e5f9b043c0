/**
 * The server's PKI: the dev (or configured) CA hierarchy on disk, seal certificates issued by the
 * intermediate CA, an OCSP responder (RFC 6960) and CRLs (RFC 5280 clause 5) over the persisted
 * certificate statuses, and the RFC 3161 time-stamp authority.
 * @module
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createSigner,
  importPrivateKey,
  type KeyGenAlgorithm,
  type PublicKey,
  type Signer,
} from '@govtrust/core/crypto';
import { PkiConfigError } from '@govtrust/core/errors';
import {
  createCrl,
  createOcspResponder,
  createTimeStampAuthority,
  createTrustStore,
  issueCertificate,
  parseCertificates,
  type Certificate,
  type CertificateStatus,
  type CrlEntryInput,
  type NameSpec,
  type OcspResponder,
  type RevocationReason,
  type TimeStampAuthority,
  type TrustStore,
} from '@govtrust/core/pki';

/** One identity of the hierarchy: certificate chain (leaf first) and signer. */
export interface PkiIdentity {
  readonly certificate: Certificate;
  readonly chain: readonly Certificate[];
  readonly signer: Signer;
}

/** The CAs and service identities of one key algorithm (a folder of the PKI directory). */
export interface PkiAlgorithmSet {
  readonly algorithm: string;
  readonly root: PkiIdentity;
  readonly intermediate: PkiIdentity;
  readonly sealMaker: PkiIdentity | undefined;
  readonly tsa: PkiIdentity | undefined;
  readonly ocsp: PkiIdentity | undefined;
}

/** A persisted certificate status (what OCSP and CRLs answer from). */
export interface CertificateRecord {
  /** RFC 4514 subject of the issuing CA. */
  readonly issuer: string;
  /** Lower-case hex serial. */
  readonly serialNumber: string;
  readonly subject: string;
  readonly notAfter: string;
  readonly status: 'good' | 'revoked';
  readonly revokedAt?: string;
  readonly reason?: RevocationReason;
}

/** Where certificate statuses and CRL numbers are kept (the store, in the server). */
export interface CertificateStatusStore {
  get(issuer: string, serialNumber: string): Promise<CertificateRecord | undefined>;
  put(record: CertificateRecord): Promise<void>;
  /** Revoked entries of one issuer. */
  revoked(issuer: string): Promise<readonly CertificateRecord[]>;
  /** Atomically increments and returns the CRL number of a CA. */
  nextCrlNumber(ca: string): Promise<bigint>;
}

/** Options of `loadServerPki`. */
export interface ServerPkiOptions {
  /** A folder laid out like certs-dev/ (`{alg}/{name}.pem|.key|.chain.pem`). */
  readonly dir: string;
  readonly statuses: CertificateStatusStore;
  /** Algorithm of the TSA (default: the first of p256, rsa, sm2 present). */
  readonly tsaAlgorithm?: string;
  readonly now: () => Date;
  /** Base URL written into issued certificates (CRL, OCSP, caIssuers). */
  readonly publicUrl?: string;
  /** Validity of each CRL (default 1 day). */
  readonly crlValidityMs?: number;
}

/** Names of the CA certificates the server publishes: `{alg}-root`, `{alg}-intermediate`. */
export type CaName = string;

/** The server's PKI services. */
export interface ServerPki {
  readonly algorithms: readonly PkiAlgorithmSet[];
  /** The roots, for verifying what the server produced. */
  readonly trust: TrustStore;
  readonly tsa: TimeStampAuthority;
  readonly ocsp: OcspResponder;
  /** The set of an algorithm (`rsa`, `p256`, `sm2`). */
  set(algorithm: string): PkiAlgorithmSet | undefined;
  /** DER of a CA certificate by name (`rsa-intermediate`). */
  caCertificate(name: CaName): Uint8Array | undefined;
  /** A current DER CRL of a CA by name, regenerated after every revocation and when it goes stale. */
  crl(name: CaName): Promise<Uint8Array | undefined>;
  /** Issues a seal-holder (or licence-issuer) certificate from the intermediate CA of `algorithm` and records it as good. */
  issueSealCertificate(options: {
    readonly algorithm: string;
    /** Default `seal-holder`; `licence-issuer` adds the licence-signing extended key usage. */
    readonly profile?: 'seal-holder' | 'licence-issuer';
    readonly subject: NameSpec;
    readonly publicKey: PublicKey;
    readonly notBefore: Date;
    readonly notAfter: Date;
  }): Promise<{ certificate: Certificate; chain: readonly Certificate[] }>;
  /** Records a certificate the server did not issue itself but answers for (an upload from one of its CAs). */
  recordCertificate(certificate: Certificate): Promise<void>;
  /** Revokes a certificate of one of the server's CAs; the next CRL and OCSP answers list it. */
  revokeCertificate(
    certificate: Certificate,
    options: { readonly at: Date; readonly reason: RevocationReason },
  ): Promise<void>;
  /** True when one of the server's intermediates issued `certificate`. */
  isOwnIssued(certificate: Certificate): boolean;
}

/** Map of key algorithm folder -> key generation algorithm. */
export const keyAlgorithmOfSet: Readonly<Record<string, KeyGenAlgorithm>> = {
  rsa: 'rsa2048',
  p256: 'p256',
  sm2: 'sm2',
};

function loadIdentity(dir: string, alg: string, name: string): PkiIdentity | undefined {
  const base = join(dir, alg, name);
  if (!existsSync(`${base}.key`) || !existsSync(`${base}.chain.pem`)) return undefined;
  const chain = parseCertificates(readFileSync(`${base}.chain.pem`, 'utf8'));
  const key = importPrivateKey(readFileSync(`${base}.key`, 'utf8'));
  return {
    certificate: chain[0]!,
    chain,
    signer: createSigner(key, { certificateChain: chain.map((c) => c.der) }),
  };
}

/**
 * Loads the hierarchy from `dir` and builds the OCSP responder, CRL issuers and TSA over it.
 * @throws {PkiConfigError} ERR_PKI_CONFIG when no algorithm folder has a root and an intermediate with keys
 */
export async function loadServerPki(options: ServerPkiOptions): Promise<ServerPki> {
  const { dir, statuses } = options;
  const sets: PkiAlgorithmSet[] = [];
  for (const alg of existsSync(dir) ? readdirSync(dir).sort() : []) {
    const root = loadIdentity(dir, alg, 'root');
    const intermediate = loadIdentity(dir, alg, 'intermediate');
    if (root === undefined || intermediate === undefined) continue;
    sets.push({
      algorithm: alg,
      root,
      intermediate,
      sealMaker: loadIdentity(dir, alg, 'seal-maker'),
      tsa: loadIdentity(dir, alg, 'tsa'),
      ocsp: loadIdentity(dir, alg, 'ocsp'),
    });
  }
  if (sets.length === 0)
    throw new PkiConfigError(
      `No CA hierarchy in ${dir} (expected {alg}/root.key, intermediate.key)`,
    );
  const byAlg = new Map(sets.map((s) => [s.algorithm, s]));
  const tsaSet =
    (options.tsaAlgorithm === undefined ? undefined : byAlg.get(options.tsaAlgorithm)) ??
    ['p256', 'rsa', 'sm2', ...byAlg.keys()]
      .map((a) => byAlg.get(a))
      .find((s) => s?.tsa !== undefined);
  if (tsaSet?.tsa === undefined) throw new PkiConfigError(`No TSA identity in ${dir}`);

  // Everything the hierarchy itself issued is answered for, with its configured status.
  const manifestPath = join(dir, 'manifest.json');
  const manifest = existsSync(manifestPath)
    ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<
        string,
        Record<string, { revoked?: { at: string; reason?: RevocationReason } }>
      >)
    : {};
  for (const set of sets) {
    for (const name of [
      'intermediate',
      'seal-maker',
      'org-a',
      'org-b',
      'licence-issuer',
      'tsa',
      'ocsp',
      'revoked',
    ]) {
      const path = join(dir, set.algorithm, `${name}.pem`);
      if (!existsSync(path)) continue;
      const cert = parseCertificates(readFileSync(path, 'utf8'))[0]!;
      if ((await statuses.get(cert.issuer, cert.serialNumber)) !== undefined) continue;
      const revoked = manifest[set.algorithm]?.[name]?.revoked;
      await statuses.put({
        issuer: cert.issuer,
        serialNumber: cert.serialNumber,
        subject: cert.subject,
        notAfter: cert.notAfter.toISOString(),
        ...(revoked === undefined
          ? { status: 'good' as const }
          : {
              status: 'revoked' as const,
              revokedAt: new Date(revoked.at).toISOString(),
              reason: revoked.reason ?? 'unspecified',
            }),
      });
    }
  }

  const cas = new Map<CaName, PkiIdentity>();
  for (const s of sets) {
    cas.set(`${s.algorithm}-root`, s.root);
    cas.set(`${s.algorithm}-intermediate`, s.intermediate);
  }
  const ocsp = createOcspResponder({
    issuers: sets.flatMap((s) => [
      { certificate: s.root.certificate, signer: s.root.signer },
      { certificate: s.intermediate.certificate, signer: s.ocsp?.signer ?? s.intermediate.signer },
    ]),
    lookup: async ({ issuer, serialNumber }): Promise<CertificateStatus> => {
      const r = await statuses.get(issuer.subject, serialNumber);
      if (r === undefined) return { status: 'unknown' };
      return r.status === 'good'
        ? { status: 'good' }
        : {
            status: 'revoked',
            revokedAt: new Date(r.revokedAt!),
            ...(r.reason === undefined ? {} : { reason: r.reason }),
          };
    },
    now: options.now,
  });
  const tsa = createTimeStampAuthority({ signer: tsaSet.tsa.signer, now: options.now });
  const crlValidityMs = options.crlValidityMs ?? 86_400_000;
  const crlCache = new Map<CaName, { der: Uint8Array; nextUpdate: number }>();
  const crlInFlight = new Map<CaName, Promise<Uint8Array>>();
  const base = options.publicUrl?.replace(/\/+$/, '');

  const buildCrl = async (name: CaName, ca: PkiIdentity): Promise<Uint8Array> => {
    const now = options.now();
    const entries: CrlEntryInput[] = (await statuses.revoked(ca.certificate.subject)).map((r) => ({
      serialNumber: r.serialNumber,
      revocationDate: new Date(r.revokedAt!),
      ...(r.reason === undefined ? {} : { reason: r.reason }),
    }));
    // A CRL cannot list a revocation from its own future.
    const thisUpdate = new Date(
      Math.max(now.getTime(), ...entries.map((e) => e.revocationDate.getTime())),
    );
    const der = await createCrl({
      issuer: { certificate: ca.certificate, signer: ca.signer },
      thisUpdate,
      nextUpdate: new Date(thisUpdate.getTime() + crlValidityMs),
      crlNumber: await statuses.nextCrlNumber(name),
      entries,
    });
    crlCache.set(name, { der, nextUpdate: thisUpdate.getTime() + crlValidityMs / 2 });
    return der;
  };

  const pki: ServerPki = {
    algorithms: sets,
    trust: createTrustStore(sets.map((s) => s.root.certificate.der)),
    tsa,
    ocsp,
    set: (alg) => byAlg.get(alg),
    caCertificate: (name) => cas.get(name)?.certificate.der,
    async crl(name) {
      const ca = cas.get(name);
      if (ca === undefined) return undefined;
      const cached = crlCache.get(name);
      // Regenerate at half-life so relying parties never fetch a CRL about to go stale.
      if (cached !== undefined && cached.nextUpdate > options.now().getTime()) return cached.der;
      let pending = crlInFlight.get(name);
      if (pending === undefined) {
        pending = buildCrl(name, ca).finally(() => crlInFlight.delete(name));
        crlInFlight.set(name, pending);
      }
      return pending;
    },
    async issueSealCertificate(o) {
      const set = byAlg.get(o.algorithm);
      if (set === undefined)
        throw new PkiConfigError(`The server has no ${o.algorithm} CA`, { path: o.algorithm });
      const ca = set.intermediate;
      const caName = `${o.algorithm}-intermediate`;
      const certificate = await issueCertificate({
        profile: o.profile ?? 'seal-holder',
        subject: o.subject,
        publicKey: o.publicKey,
        issuer: { certificate: ca.certificate, signer: ca.signer },
        notBefore: o.notBefore,
        notAfter: o.notAfter,
        ...(base === undefined
          ? {}
          : {
              crlDistributionPoints: [`${base}/crl/${caName}.crl`],
              ocspUrls: [`${base}/ocsp`],
              caIssuersUrls: [`${base}/ca/${caName}.cer`],
            }),
      });
      await pki.recordCertificate(certificate);
      return { certificate, chain: [certificate, ...ca.chain] };
    },
    async recordCertificate(certificate) {
      if ((await statuses.get(certificate.issuer, certificate.serialNumber)) !== undefined) return;
      await statuses.put({
        issuer: certificate.issuer,
        serialNumber: certificate.serialNumber,
        subject: certificate.subject,
        notAfter: certificate.notAfter.toISOString(),
        status: 'good',
      });
    },
    async revokeCertificate(certificate, o) {
      const current = await statuses.get(certificate.issuer, certificate.serialNumber);
      if (current?.status === 'revoked') return;
      await statuses.put({
        issuer: certificate.issuer,
        serialNumber: certificate.serialNumber,
        subject: certificate.subject,
        notAfter: certificate.notAfter.toISOString(),
        status: 'revoked',
        revokedAt: o.at.toISOString(),
        reason: o.reason,
      });
      // Drop the cached CRLs of the issuer: the next fetch lists the revocation.
      for (const [name, ca] of cas)
        if (ca.certificate.subject === certificate.issuer) crlCache.delete(name);
    },
    isOwnIssued: (certificate) =>
      sets.some(
        (s) =>
          s.intermediate.certificate.subject === certificate.issuer &&
          certificate.verifySignedBy(s.intermediate.certificate),
      ),
  };
  return pki;
}
