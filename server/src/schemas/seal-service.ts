/** zod schemas of the seal service API: validated on every request and published as OpenAPI 3.1. @module */
import { z } from 'zod';

const unit = z.enum(['mm', 'pt']).optional().describe('Unit of coordinates and sizes (default mm)');
const coord = z.number().min(-100000).max(100000);
const size = z.number().positive().max(14400);

/** One seal position: page + x/y, keyword (关键字定位) or riding seal (骑缝章). */
export const positionSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('page'),
    page: z.number().int().min(1).max(100000),
    x: coord.describe('Left edge of the seal from the left of the visible page'),
    y: coord.describe('Top edge of the seal from the top of the visible page'),
    width: size.optional(),
    height: size.optional(),
    unit,
  }),
  z.strictObject({
    type: z.literal('keyword'),
    keyword: z.string().min(1).max(100),
    occurrence: z.number().int().min(1).max(10000).optional(),
    page: z.number().int().min(1).max(100000).optional(),
    offsetX: coord.optional(),
    offsetY: coord.optional(),
    width: size.optional(),
    height: size.optional(),
    unit,
  }),
  z.strictObject({
    type: z.literal('riding'),
    pages: z.tuple([z.number().int().min(1), z.number().int().min(1)]).optional(),
    y: coord.optional(),
    width: size.optional(),
    height: size.optional(),
    unit,
  }),
]);

const level = z
  .enum(['B-B', 'B-T'])
  .optional()
  .describe('PAdES level; B-T adds an RFC 3161 signature time stamp');
const bizId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\x20-\x7e]+$/)
  .optional()
  .describe('Business reference of the caller (e.g. the approval number)');
const text = z.string().min(1).max(200);
const id = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_-]+$/);

/** The JSON part of POST /v1/seal-applications. */
export const applicationRequestSchema = z.strictObject({
  sealId: id,
  positions: z.array(positionSchema).min(1).max(10),
  level,
  bizId,
  reason: text.optional(),
  location: text.optional(),
});

/** The JSON part of POST /v1/seal-applications:batch; `file` names the form part of each item. */
export const batchRequestSchema = z.strictObject({
  items: z
    .array(applicationRequestSchema.extend({ file: z.string().regex(/^file\d{1,3}$/) }))
    .min(1)
    .max(100),
});

/** The JSON part of POST /v1/signing-sessions. */
export const sessionRequestSchema = z.strictObject({
  sealId: id,
  position: positionSchema,
  level,
  bizId,
  reason: text.optional(),
});

/** POST /v1/signing-sessions/{id}/complete. */
export const completeSessionSchema = z.strictObject({
  signature: z
    .string()
    .min(4)
    .max(20000)
    .regex(/^[A-Za-z0-9+/]+={0,2}$/)
    .describe('The signature value over toBeSigned (base64; DER for ECDSA/SM2)'),
});

/** POST /v1/seals. */
export const createSealSchema = z.strictObject({
  name: z.string().min(1).max(160),
  type: z
    .number()
    .int()
    .min(1)
    .max(99)
    .optional()
    .describe('Seal type code (GB/T 38540 / 国办发〔2025〕33号: 1 法定名称章 ...)'),
  organisation: z.strictObject({
    name: z.string().min(1).max(100),
    code: z.string().min(1).max(32).optional().describe('统一社会信用代码'),
  }),
  esID: z
    .string()
    .regex(/^(\d{14}|[0-9a-f]{32})$/)
    .optional(),
  key: z
    .discriminatedUnion('provider', [
      z.strictObject({
        provider: z.literal('generate'),
        algorithm: z.enum(['rsa', 'p256', 'sm2']).optional(),
      }),
      z.strictObject({
        provider: z.literal('pkcs12'),
        path: z.string().min(1).max(1024),
        passwordFile: z.string().min(1).max(1024),
      }),
      z.strictObject({
        provider: z.literal('pkcs11'),
        module: z.string().min(1).max(1024),
        tokenLabel: z.string().max(64).optional(),
        keyLabel: z.string().max(64).optional(),
        keyId: z
          .string()
          .regex(/^[0-9a-fA-F]{1,128}$/)
          .optional(),
        pinFile: z.string().min(1).max(1024),
        publicKey: z
          .string()
          .max(20000)
          .optional()
          .describe('PEM public key of the token key, certified by the server CA'),
        certificateChain: z.array(z.string().min(1).max(20000)).min(1).max(10).optional(),
      }),
      z.strictObject({
        provider: z.literal('external'),
        certificateChain: z.array(z.string().min(1).max(20000)).min(1).max(10),
      }),
    ])
    .optional(),
  validDays: z.number().int().min(1).max(3650).optional(),
  picturePng: z.string().max(2_000_000).optional(),
  widthMm: z.number().min(10).max(100).optional(),
  heightMm: z.number().min(10).max(100).optional(),
});

/** Lifecycle actions take an optional reason. */
export const reasonSchema = z.strictObject({ reason: z.string().min(1).max(500).optional() });

/** POST /v1/seals/{id}/grants. */
export const createGrantSchema = z.strictObject({
  appId: id,
  notBefore: z.iso.datetime({ offset: true }).optional(),
  notAfter: z.iso.datetime({ offset: true }).optional(),
  maxUses: z.number().int().min(1).max(1_000_000_000).optional(),
});

/** POST /v1/apps. */
export const createAppSchema = z.strictObject({
  name: z.string().min(1).max(100),
  roles: z
    .array(z.enum(['admin', 'seal-user', 'issuer', 'verifier']))
    .min(1)
    .max(4),
});

/** Path parameters. */
export const idParams = z.object({ id });
export const appSecretParams = z.object({ id, secretId: id });

/** GET /v1/seal-usage query. */
export const usageQuerySchema = z.object({
  appId: id.optional(),
  sealId: id.optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  result: z.enum(['sealed', 'refused', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  after: z.string().max(200).optional(),
});

const certFacts = z.object({
  subject: z.string(),
  issuer: z.string(),
  serialNumber: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
});
const sealStatus = z.enum(['active', 'suspended', 'lost', 'cancelled', 'revoked']);

/** Response: a seal. */
export const sealViewSchema = z.object({
  id: z.string(),
  esID: z.string(),
  name: z.string(),
  type: z.number(),
  organisation: z.object({ name: z.string(), code: z.string().optional() }),
  status: sealStatus,
  statusReason: z.string().optional(),
  generation: z.number(),
  key: z.object({ provider: z.string(), algorithm: z.string() }),
  certificate: certFacts,
  certificateChain: z.array(z.string()),
  sealData: z.string(),
  validFrom: z.string(),
  validTo: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** Response: the public status of a seal. */
export const sealStatusViewSchema = z.object({
  id: z.string(),
  esID: z.string(),
  name: z.string(),
  status: sealStatus,
  since: z.string(),
  generation: z.number(),
  certificateSerialNumber: z.string(),
  validFrom: z.string(),
  validTo: z.string(),
});

/** Response: a grant. */
export const grantViewSchema = z.object({
  id: z.string(),
  sealId: z.string(),
  appId: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  maxUses: z.number().nullable(),
  usedCount: z.number(),
  status: z.enum(['active', 'revoked']),
  createdAt: z.string(),
  revokedAt: z.string().optional(),
  reason: z.string().optional(),
});

/** Response: an application. */
export const applicationViewSchema = z.object({
  id: z.string(),
  status: z.enum(['sealed', 'failed']),
  sealId: z.string(),
  appId: z.string(),
  bizId: z.string().optional(),
  level: z.enum(['B-B', 'B-T']),
  positions: z.array(positionSchema),
  document: z.object({
    filename: z.string(),
    sha256Before: z.string(),
    sha256After: z.string().optional(),
    size: z.number(),
  }),
  usageSeq: z.number().optional(),
  createdAt: z.string(),
  resultUrl: z.string().optional(),
});

/** Response: a signing session. */
export const sessionViewSchema = z.object({
  id: z.string(),
  sealId: z.string(),
  signatureAlgorithm: z.string(),
  toBeSigned: z.string(),
  digest: z.string(),
  digestAlgorithm: z.string(),
  expiresAt: z.string(),
  status: z.enum(['open', 'completed']),
});

/** Response: a new credential. */
export const credentialViewSchema = z.object({
  appId: z.string(),
  name: z.string(),
  roles: z.array(z.string()),
  secretId: z.string(),
  secret: z.string().optional(),
});

/** Response: usage entries. */
export const usagePageSchema = z.object({
  items: z.array(
    z.object({
      seq: z.number(),
      hash: z.string(),
      prevHash: z.string(),
      entry: z.record(z.string(), z.unknown()),
    }),
  ),
  next: z.string().optional(),
  head: z.object({ seq: z.number(), hash: z.string() }).optional(),
});
