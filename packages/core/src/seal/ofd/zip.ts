/**
 * A defensive, in-memory reader for OFD packages (GB/T 33190 clause 7.2: a zip container) on
 * yauzl: bounded entry count, inflated size and compression ratio, safe entry names, no duplicate
 * or overlapping entries, CRC-32 checked. Nothing is ever written to disk.
 * @module
 */
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';
import { OfdPackageError } from '../../errors/index.js';
import { concatBytes } from '../../internal/bytes.js';

/** Limits on what an OFD package may inflate to. */
export interface OfdZipLimits {
  /** Most entries (default 10,000). */
  readonly maxEntries: number;
  /** Most bytes all entries inflate to together (default 512 MiB). */
  readonly maxTotalSize: number;
  /** Most bytes one entry inflates to (default 256 MiB). */
  readonly maxEntrySize: number;
  /** Highest inflated/compressed ratio of an entry larger than 1 MiB (default 200; deflate tops out near 1032). */
  readonly maxRatio: number;
}

/** The default limits: far above real OFD documents, far below what exhausts a server. */
export const defaultOfdZipLimits: OfdZipLimits = Object.freeze({
  maxEntries: 10_000,
  maxTotalSize: 512 * 1024 * 1024,
  maxEntrySize: 256 * 1024 * 1024,
  maxRatio: 200,
});

/** Entries this small are not ratio-checked: small XML files legitimately compress very well. */
const RATIO_FLOOR = 1024 * 1024;

/** An opened package: entry names (without a leading "/") and on-demand inflation. */
export interface OfdZip {
  /** Every file entry name, as stored (directories excluded). */
  readonly names: readonly string[];
  has(name: string): boolean;
  /**
   * The inflated bytes of `name` (cached).
   * @throws {OfdPackageError} ERR_OFD_ZIP_BOMB beyond the limits; ERR_OFD_PARSE for a corrupt entry or unknown name
   */
  read(name: string): Promise<Uint8Array>;
  close(): void;
}

/** @internal Why an entry name is unsafe, or undefined when it is fine. */
export function unsafeEntryName(name: string): string | undefined {
  const lib = yauzl.validateFileName(name);
  if (lib !== null) return lib;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(name)) return `control character in entry name`;
  const segments = name.replace(/\/$/, '').split('/');
  if (segments.some((s) => s === '' || s === '.')) return `empty or "." path segment in "${name}"`;
  return undefined;
}

function zipError(err: unknown, entry?: string): OfdPackageError {
  const message = err instanceof Error ? err.message : String(err);
  if (/too many bytes|exceeds/i.test(message)) {
    return new OfdPackageError(
      'ERR_OFD_ZIP_BOMB',
      `Entry inflates beyond its declared size: ${message}`,
      {
        ...(entry === undefined ? {} : { entry }),
        cause: err,
      },
    );
  }
  if (/encrypt|compression method/i.test(message)) {
    return new OfdPackageError('ERR_OFD_ZIP_UNSUPPORTED', `Unsupported zip feature: ${message}`, {
      ...(entry === undefined ? {} : { entry }),
      cause: err,
    });
  }
  return new OfdPackageError('ERR_OFD_PARSE', `Not a readable OFD zip package: ${message}`, {
    ...(entry === undefined ? {} : { entry }),
    cause: err,
  });
}

/**
 * Opens an OFD zip held in memory and validates its central directory before anything inflates.
 * @throws {OfdPackageError} ERR_OFD_PARSE (not a zip), ERR_OFD_ZIP_ENTRIES, ERR_OFD_ZIP_PATH, ERR_OFD_ZIP_DUPLICATE, ERR_OFD_ZIP_UNSUPPORTED, ERR_OFD_ZIP_BOMB
 */
export async function openOfdZip(
  bytes: Uint8Array,
  limits: Partial<OfdZipLimits> = {},
): Promise<OfdZip> {
  const lim = { ...defaultOfdZipLimits, ...limits };
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let zip: yauzl.ZipFile;
  try {
    // decodeStrings: false so names are decoded and judged here, with our codes, not yauzl's messages.
    zip = await new Promise<yauzl.ZipFile>((resolve, reject) => {
      yauzl.fromBuffer(
        buffer,
        { lazyEntries: true, decodeStrings: false, validateEntrySizes: true },
        (err, z) => {
          if (err !== null) reject(err);
          else resolve(z);
        },
      );
    });
  } catch (err) {
    throw zipError(err);
  }
  try {
    if (zip.entryCount > lim.maxEntries) {
      throw new OfdPackageError(
        'ERR_OFD_ZIP_ENTRIES',
        `The package has ${zip.entryCount} entries (limit ${lim.maxEntries})`,
      );
    }
    const entries = await readCentralDirectory(zip, lim.maxEntries);
    const byName = new Map<string, yauzl.Entry>();
    let declaredTotal = 0;
    for (const entry of entries) {
      const raw = entry.fileName as unknown as Buffer;
      const name = yauzl.getFileNameLowLevel(
        entry.generalPurposeBitFlag,
        raw,
        entry.extraFields,
        false,
      );
      const unsafe = unsafeEntryName(name);
      if (unsafe !== undefined) {
        throw new OfdPackageError(
          'ERR_OFD_ZIP_PATH',
          `Unsafe entry name "${name.slice(0, 200)}": ${unsafe}`,
          { entry: name },
        );
      }
      if (byName.has(name)) {
        throw new OfdPackageError('ERR_OFD_ZIP_DUPLICATE', `Two entries are named "${name}"`, {
          entry: name,
        });
      }
      if (entry.isEncrypted()) {
        throw new OfdPackageError('ERR_OFD_ZIP_UNSUPPORTED', `Entry "${name}" is encrypted`, {
          entry: name,
        });
      }
      if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
        throw new OfdPackageError(
          'ERR_OFD_ZIP_UNSUPPORTED',
          `Entry "${name}" uses compression method ${entry.compressionMethod}`,
          { entry: name },
        );
      }
      const size = entry.uncompressedSize;
      declaredTotal += size;
      if (size > lim.maxEntrySize) {
        throw new OfdPackageError(
          'ERR_OFD_ZIP_BOMB',
          `Entry "${name}" inflates to ${size} bytes (limit ${lim.maxEntrySize})`,
          { entry: name },
        );
      }
      if (declaredTotal > lim.maxTotalSize) {
        throw new OfdPackageError(
          'ERR_OFD_ZIP_BOMB',
          `The package inflates to more than ${lim.maxTotalSize} bytes`,
          { entry: name },
        );
      }
      if (size > RATIO_FLOOR && size / Math.max(entry.compressedSize, 1) > lim.maxRatio) {
        throw new OfdPackageError(
          'ERR_OFD_ZIP_BOMB',
          `Entry "${name}" has compression ratio ${Math.round(size / Math.max(entry.compressedSize, 1))}:1 (limit ${lim.maxRatio}:1)`,
          { entry: name },
        );
      }
      byName.set(name, entry);
    }
    checkOverlap(entries);
    return createZipView(zip, byName, lim);
  } catch (err) {
    zip.close();
    if (err instanceof OfdPackageError) throw err;
    throw zipError(err);
  }
}

function readCentralDirectory(zip: yauzl.ZipFile, max: number): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const out: yauzl.Entry[] = [];
    zip.on('entry', (entry: yauzl.Entry) => {
      out.push(entry);
      if (out.length > max)
        reject(new OfdPackageError('ERR_OFD_ZIP_ENTRIES', `More than ${max} entries`));
      else zip.readEntry();
    });
    zip.on('end', () => {
      resolve(out);
    });
    zip.on('error', reject);
    zip.readEntry();
  });
}

/** Entries whose data overlap are how "non-recursive" zip bombs multiply one compressed kernel. */
function checkOverlap(entries: readonly yauzl.Entry[]): void {
  const spans = entries
    .filter((e) => e.compressedSize > 0)
    .map((e) => ({
      start: e.relativeOffsetOfLocalHeader,
      end: e.relativeOffsetOfLocalHeader + 30 + e.compressedSize,
    }))
    .sort((a, b) => a.start - b.start);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i]!.start < spans[i - 1]!.end) {
      throw new OfdPackageError(
        'ERR_OFD_ZIP_UNSUPPORTED',
        'Zip entries overlap (a zip bomb technique)',
      );
    }
  }
}

function createZipView(
  zip: yauzl.ZipFile,
  byName: Map<string, yauzl.Entry>,
  lim: OfdZipLimits,
): OfdZip {
  const names = [...byName.keys()].filter((n) => !n.endsWith('/'));
  const cache = new Map<string, Uint8Array>();
  let inflatedTotal = 0;
  return {
    names,
    has: (name) => byName.has(name) && !name.endsWith('/'),
    async read(name) {
      const cached = cache.get(name);
      if (cached !== undefined) return cached;
      const entry = byName.get(name);
      if (entry === undefined)
        throw new OfdPackageError('ERR_OFD_PARSE', `No entry "${name}" in the package`, {
          entry: name,
        });
      const data = await inflate(zip, entry, name, (n) => {
        inflatedTotal += n;
        if (inflatedTotal > lim.maxTotalSize) {
          throw new OfdPackageError(
            'ERR_OFD_ZIP_BOMB',
            `The package inflates to more than ${lim.maxTotalSize} bytes`,
            { entry: name },
          );
        }
      });
      if (crc32(data) !== entry.crc32) {
        throw new OfdPackageError(
          'ERR_OFD_PARSE',
          `Entry "${name}" fails its CRC-32 check (corrupt package)`,
          { entry: name },
        );
      }
      cache.set(name, data);
      return data;
    },
    close: () => {
      zip.close();
    },
  };
}

function inflate(
  zip: yauzl.ZipFile,
  entry: yauzl.Entry,
  name: string,
  count: (n: number) => void,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err !== null) {
        reject(zipError(err, name));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        try {
          // yauzl also stops at the declared size; this bounds the total across entries.
          if (size > entry.uncompressedSize)
            throw new OfdPackageError(
              'ERR_OFD_ZIP_BOMB',
              `Entry "${name}" inflates beyond its declared size`,
              { entry: name },
            );
          count(chunk.length);
        } catch (e) {
          stream.destroy();
          reject(e instanceof Error ? e : new Error(String(e)));
          return;
        }
        chunks.push(chunk);
      });
      stream.on('error', (e) => {
        reject(e instanceof OfdPackageError ? e : zipError(e, name));
      });
      stream.on('end', () => {
        resolve(concatBytes(...chunks));
      });
    });
  });
}
