/** Test helpers: a minimal zip writer (PKWARE APPNOTE 4.3) for crafting hostile and modified OFD packages, and a reader. */
import { crc32, deflateRawSync } from 'node:zlib';
import { openOfdZip } from '../../src/seal/ofd/zip.js';

/** One entry to write. */
export interface ZipEntrySpec {
  readonly name: string;
  readonly data: Uint8Array;
  /** Default 'deflate'. */
  readonly method?: 'store' | 'deflate';
  /** Lie about the inflated size (zip bomb tests). */
  readonly declaredSize?: number;
}

/** A zip archive of `entries`, in order (duplicates allowed, names unchecked: tests craft bad ones). */
export function buildZip(entries: readonly ZipEntrySpec[]): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const method = e.method === 'store' ? 0 : 8;
    const body = method === 0 ? Buffer.from(e.data) : deflateRawSync(e.data);
    const crc = crc32(e.data);
    const size = e.declaredSize ?? e.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, body);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, cd, end]));
}

/** Every file of a zip, read with the production reader. */
export async function readZip(bytes: Uint8Array): Promise<Map<string, Uint8Array>> {
  const zip = await openOfdZip(bytes);
  const out = new Map<string, Uint8Array>();
  for (const name of zip.names) out.set(name, await zip.read(name));
  zip.close();
  return out;
}

/** `bytes` with the files in `changes` replaced (other entries rewritten unchanged, in order). */
export async function rewriteZip(
  bytes: Uint8Array,
  changes: Record<string, Uint8Array>,
): Promise<Uint8Array> {
  const files = await readZip(bytes);
  return buildZip([...files].map(([name, data]) => ({ name, data: changes[name] ?? data })));
}
