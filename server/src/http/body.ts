/** Request bodies: bounded raw reads with a running digest, and multipart forms streamed to disk (RFC 7578). @module */
import { createWriteStream, type WriteStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Request } from 'express';
import busboy from 'busboy';
import { v4 as uuidv4 } from 'uuid';
import { createHasher, type HashAlgorithm } from '@govtrust/core/crypto';
import { InputTooLargeError, ServiceError } from '@govtrust/core/errors';

/** A body read in full. */
export interface RawBody {
  readonly bytes: Buffer;
  /** Digest of the bytes with the algorithm asked for (base64). */
  readonly digest: string;
}

/**
 * Reads the whole body, refusing more than `limit` bytes as soon as they arrive.
 * @throws {InputTooLargeError} ERR_INPUT_TOO_LARGE past the limit (or a larger Content-Length)
 */
export async function readRawBody(
  req: Request,
  limit: number,
  digestAlgorithm: HashAlgorithm = 'sha256',
): Promise<RawBody> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit)
    throw new InputTooLargeError(`The body is ${declared} bytes; the limit is ${limit}`, limit);
  const hasher = createHasher(digestAlgorithm);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new InputTooLargeError(`The body exceeds ${limit} bytes`, limit);
    hasher.update(chunk);
    chunks.push(chunk);
  }
  return { bytes: Buffer.concat(chunks, size), digest: hasher.digest('base64') };
}

/** A file part saved to disk. */
export interface UploadedFile {
  readonly field: string;
  readonly filename: string;
  readonly contentType: string;
  /** Where the file was spooled to, when it was larger than the in-memory threshold. */
  readonly path?: string;
  readonly size: number;
  /** SHA-256 of the file (hex), computed while streaming. */
  readonly sha256: string;
  /** The file's bytes (from memory or from the spool file). */
  read(): Promise<Uint8Array>;
}

/** A parsed multipart form. */
export interface MultipartForm {
  readonly fields: Readonly<Record<string, string>>;
  readonly files: readonly UploadedFile[];
  /** Digest of the raw request body (base64), for the request signature check. */
  readonly digest: string;
  /** Deletes every saved file. */
  cleanup(): Promise<void>;
}

/** Limits of `readMultipart`. */
export interface MultipartLimits {
  /** Largest whole body in bytes. */
  readonly bodyBytes: number;
  readonly files: number;
  readonly fields: number;
  readonly fieldBytes: number;
  /** Files up to this size stay in memory; larger ones are streamed to `dir`. */
  readonly spoolBytes: number;
}

/**
 * Parses a multipart/form-data body while the raw body is hashed: file parts up to `spoolBytes`
 * stay in memory, larger ones are streamed to a new file in `dir` (with backpressure), so a large
 * upload is never buffered whole. Files are removed again on any failure and by `cleanup`.
 * @throws {InputTooLargeError} ERR_INPUT_TOO_LARGE when the body, a field or the part counts pass the limits
 * @throws {ServiceError} ERR_HTTP_MULTIPART for a malformed form; ERR_HTTP_UNSUPPORTED_MEDIA_TYPE for another content type
 */
export async function readMultipart(
  req: Request,
  dir: string,
  limits: MultipartLimits,
  digestAlgorithm: HashAlgorithm = 'sha256',
): Promise<MultipartForm> {
  const type = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\s*;/i.test(type))
    throw new ServiceError('ERR_HTTP_UNSUPPORTED_MEDIA_TYPE', 'Send multipart/form-data');
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limits.bodyBytes)
    throw new InputTooLargeError(
      `The upload is ${declared} bytes; the limit is ${limits.bodyBytes}`,
      limits.bodyBytes,
    );
  const files: UploadedFile[] = [];
  const fields: Record<string, string> = {};
  // Every path ever opened, so that a failure half-way through leaves no file behind.
  const paths: string[] = [];
  const cleanup = async (): Promise<void> => {
    await Promise.all(paths.map((p) => rm(p, { force: true })));
  };
  let bb: busboy.Busboy;
  try {
    bb = busboy({
      headers: req.headers,
      // RFC 7578 4.2: file names are UTF-8 (busboy's default would read them as latin1).
      defParamCharset: 'utf8',
      limits: {
        files: limits.files,
        fields: limits.fields,
        fieldSize: limits.fieldBytes,
        parts: limits.files + limits.fields,
        fileSize: limits.bodyBytes,
      },
    });
  } catch (err) {
    throw new ServiceError('ERR_HTTP_MULTIPART', 'The multipart boundary is missing', {
      cause: err,
    });
  }
  const hasher = createHasher(digestAlgorithm);
  const writes: Promise<void>[] = [];
  const open = new Set<WriteStream>();
  try {
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const fail = (err: unknown): void => {
        if (failed) return;
        failed = true;
        req.unpipe(bb);
        for (const w of open) w.destroy();
        reject(err instanceof Error ? err : new Error(String(err)));
      };
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limits.bodyBytes) {
          fail(
            new InputTooLargeError(
              `The upload exceeds ${limits.bodyBytes} bytes`,
              limits.bodyBytes,
            ),
          );
          return;
        }
        hasher.update(chunk);
      });
      req.on('error', fail);
      bb.on('field', (name, value, info) => {
        if (info.valueTruncated) {
          fail(
            new InputTooLargeError(
              `Field ${name} exceeds ${limits.fieldBytes} bytes`,
              limits.fieldBytes,
            ),
          );
          return;
        }
        fields[name] = value;
      });
      bb.on('file', (name, stream, info) => {
        const fileHash = createHasher('sha256');
        let fileSize = 0;
        const chunks: Buffer[] = [];
        let out: WriteStream | undefined;
        let path: string | undefined;
        stream.on('limit', () => {
          fail(new InputTooLargeError(`File ${name} is too large`, limits.bodyBytes));
        });
        writes.push(
          new Promise<void>((res, rej) => {
            stream.on('data', (c: Buffer) => {
              fileSize += c.length;
              fileHash.update(c);
              // Small files stay in memory (SignServer's FILE_SIZE_THRESHOLD); larger ones go to disk as they arrive.
              if (out === undefined && fileSize <= limits.spoolBytes) {
                chunks.push(c);
                return;
              }
              if (out === undefined) {
                path = join(dir, `upload-${uuidv4()}`);
                paths.push(path);
                out = createWriteStream(path, { mode: 0o600 });
                open.add(out);
                out.on('error', rej);
                for (const b of chunks) out.write(b);
                chunks.length = 0;
              }
              if (!out.write(c)) {
                stream.pause();
                out.once('drain', () => stream.resume());
              }
            });
            stream.on('error', rej);
            stream.on('end', () => {
              const filePath = path;
              const data = filePath === undefined ? Buffer.concat(chunks, fileSize) : undefined;
              const finish = (): void => {
                files.push({
                  field: name,
                  filename: info.filename ?? '',
                  contentType: info.mimeType,
                  size: fileSize,
                  sha256: fileHash.digest('hex'),
                  ...(filePath === undefined ? {} : { path: filePath }),
                  read: async () =>
                    filePath === undefined
                      ? new Uint8Array(data!.buffer, data!.byteOffset, data!.byteLength)
                      : new Uint8Array(await readFile(filePath)),
                });
                res();
              };
              if (out === undefined) finish();
              else {
                const w = out;
                w.end(() => {
                  open.delete(w);
                  finish();
                });
              }
            });
          }),
        );
      });
      bb.on('filesLimit', () => {
        fail(new InputTooLargeError(`At most ${limits.files} files`, limits.files));
      });
      bb.on('fieldsLimit', () => {
        fail(new InputTooLargeError(`At most ${limits.fields} fields`, limits.fields));
      });
      bb.on('partsLimit', () => {
        fail(new InputTooLargeError('Too many parts', limits.files + limits.fields));
      });
      bb.on('error', (err) => {
        fail(
          new ServiceError('ERR_HTTP_MULTIPART', 'The multipart form is malformed', { cause: err }),
        );
      });
      bb.on('close', () => {
        if (!failed) resolve();
      });
      req.pipe(bb);
    });
    await Promise.all(writes);
  } catch (err) {
    await Promise.allSettled(writes);
    await cleanup();
    throw err;
  }
  return { fields, files, digest: hasher.digest('base64'), cleanup };
}
