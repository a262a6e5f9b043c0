/** The strict reader: pyHanko's structure edge cases, hostile inputs, revisions and the incremental writer. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  IncrementalWriter,
  PdfDict,
  PdfName,
  PdfRef,
  PdfStream,
  PdfString,
  findKeyword,
  getAcroForm,
  getPage,
  getPageCount,
  getPages,
  openPdf,
} from '../../src/pdf/index.js';
import { GovTrustError } from '../../src/errors/index.js';
import { PdfLexer } from '../../src/pdf/syntax.js';
import { parseCMap } from '../../src/pdf/text.js';
import { hasTool, tempDir } from '../helpers/tools.js';
import { makePdf, qpdfCheck, withObjectStreams } from './helpers.js';

const fixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(join(import.meta.dirname, 'fixtures', 'pyhanko', name)));

const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

describe('openPdf on pyHanko inputs', () => {
  it.each([
    ['minimal.pdf', 1, 'table', 1],
    ['minimal-xref.pdf', 1, 'stream', 1],
    ['minimal-two-pages.pdf', 1, 'table', 2],
    ['separate-annots-kids-indir.pdf', 3, 'table', 1],
    ['pades-lta-dss-indirect-arrs-test.pdf', 5, 'table', 1],
    ['page-tree-direct-kid.pdf', 1, 'table', 2],
    ['uncompressed-objstream-sample.pdf', 1, 'stream', 1],
  ] as const)('%s: %i revision(s), %s xref, %i page(s)', (file, revisions, style, pageCount) => {
    const doc = openPdf(fixture(file));
    expect(doc.revisions).toHaveLength(revisions);
    expect(doc.latest.xrefStyle).toBe(style);
    expect(getPages(doc)).toHaveLength(pageCount);
    // Revisions are nested byte ranges ending at the file's end.
    expect(doc.revisions.at(-1)!.end).toBe(doc.bytes.length);
    for (let i = 1; i < doc.revisions.length; i++)
      expect(doc.revisions[i]!.end).toBeGreaterThan(doc.revisions[i - 1]!.end);
  });

  it.each(['minimal-two-pages.pdf', 'page-tree-direct-kid.pdf', 'separate-annots-kids-indir.pdf'])(
    'getPage (one branch) agrees with getPages (whole tree) on %s',
    (file) => {
      const all = getPages(openPdf(fixture(file)));
      const lazy = openPdf(fixture(file));
      expect(getPageCount(lazy)).toBe(all.length);
      all.forEach((p, i) => {
        const q = getPage(lazy, i);
        expect([q.index, q.ref?.key, q.holderKind, q.kidIndex, q.rotate]).toEqual([
          p.index,
          p.ref?.key,
          p.holderKind,
          p.kidIndex,
          p.rotate,
        ]);
        expect(q.mediaBox).toEqual(p.mediaBox);
      });
    },
  );

  it('reads a page written directly in /Kids and says where it lives', () => {
    const pages = getPages(openPdf(fixture('page-tree-direct-kid.pdf')));
    expect(pages.map((p) => p.holderKind)).toEqual(['page', 'parent']);
    expect(pages[1]!.ref).toBeNull();
  });

  it('assumes US Letter for a page without /MediaBox and says so', () => {
    const [page] = getPages(openPdf(fixture('no-mediabox.pdf')));
    expect(page!.mediaBoxMissing).toBe(true);
    expect(page!.mediaBox).toEqual([0, 0, 612, 792]);
  });

  it('reads objects inside object streams', () => {
    const doc = openPdf(fixture('uncompressed-objstream-sample.pdf'));
    const compressed = [...doc.entriesAt()].filter(([, e]) => e.type === 'compressed');
    expect(compressed.length).toBeGreaterThan(0);
    for (const [num] of compressed) expect(doc.getObject(new PdfRef(num, 0))).not.toBeNull();
  });

  it('finds the signature fields of signed files', () => {
    const form = getAcroForm(openPdf(fixture('separate-annots-kids-indir.pdf')));
    expect(form!.signatureFields.filter((f) => f.value !== null)).toHaveLength(2);
  });

  it('reads references to objects that do not exist as null (ISO 32000-1 7.3.10)', () => {
    const doc = openPdf(fixture('minimal-with-nonexistent-refs.pdf'));
    expect(doc.getObject(new PdfRef(9999, 0))).toBeNull();
  });

  it.each([
    ['minimal-hybrid-xref.pdf', 'ERR_PDF_HYBRID_XREF'],
    ['circular-page-tree.pdf', 'ERR_PDF_PARSE'],
    ['minimal-startxref-hopeless.pdf', 'ERR_PDF_PARSE'],
    ['minimal-badxref.pdf', 'ERR_PDF_PARSE'],
    ['minimal-broken-xref-size.pdf', 'ERR_PDF_PARSE'],
  ] as const)('refuses %s with %s (no repair)', (file, code) => {
    expect(() => getPages(openPdf(fixture(file)))).toThrow(expect.objectContaining({ code }));
  });

  it.each(['minimal-startxref-obo1.pdf', 'minimal-startxref-obo3.pdf'])(
    'reads %s, whose startxref lands on whitespace just before the section (as pyHanko strict mode)',
    (file) => {
      expect(getPages(openPdf(fixture(file)))).toHaveLength(1);
    },
  );

  it('reads a hybrid-reference file only when asked to', () => {
    const doc = openPdf(fixture('minimal-hybrid-xref.pdf'), { allowHybrid: true });
    expect(getPages(doc)).toHaveLength(1);
  });

  it.each(['broken-objstream1.pdf', 'broken-objstream2.pdf'])(
    'refuses the lying object stream of %s when the object is read',
    (file) => {
      const doc = openPdf(fixture(file));
      expect(() => {
        for (const [num, e] of doc.entriesAt())
          if (e.type === 'compressed') doc.getObject(new PdfRef(num, 0));
      }).toThrow(expect.objectContaining({ code: 'ERR_PDF_PARSE' }));
    },
  );
});

describe('openPdf on hostile or broken bytes', () => {
  const minimal = fixture('minimal.pdf');

  it('refuses what is not a PDF, with the offset', () => {
    expect(() => openPdf(ascii('GIF89a not a pdf'))).toThrow(
      expect.objectContaining({ code: 'ERR_PDF_PARSE', offset: 0 }),
    );
  });

  it('refuses a truncated PDF', () => {
    for (const cut of [10, minimal.length / 2, minimal.length - 8])
      expect(() => openPdf(minimal.subarray(0, Math.floor(cut)))).toThrow(
        expect.objectContaining({ code: 'ERR_PDF_PARSE' }),
      );
  });

  it('refuses bytes after the final %%EOF', () => {
    const bad = new Uint8Array([...minimal, ...ascii('garbage\n')]);
    expect(() => openPdf(bad)).toThrow(expect.objectContaining({ code: 'ERR_PDF_PARSE' }));
  });

  it('refuses an encrypted file', () => {
    const text = Buffer.from(minimal).toString('latin1').replace('/Root', '/Encrypt 1 0 R /Root');
    // Keep the xref offsets right: the trailer follows every object, so only startxref moves.
    expect(() => openPdf(ascii(text))).toThrow(
      expect.objectContaining({ code: 'ERR_PDF_ENCRYPTED' }),
    );
  });

  it('refuses a /Prev chain that loops', () => {
    const text = Buffer.from(minimal).toString('latin1');
    const sx = Number(/startxref\s+(\d+)/.exec(text)![1]);
    const looped = text.replace('/Root', `/Prev ${sx} /Root`);
    expect(() => openPdf(ascii(looped))).toThrow(
      expect.objectContaining({ code: 'ERR_PDF_PARSE' }),
    );
  });

  it('bounds nesting depth instead of overflowing the stack', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const body = `%PDF-1.7\n1 0 obj\n${deep}\nendobj\n`;
    const xref = body.length;
    const pdf = `${body}xref\n0 2\n0000000000 65535 f \n0000000009 00000 n \ntrailer\n<< /Size 2 /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
    const doc = openPdf(ascii(pdf));
    expect(() => doc.getObject(new PdfRef(1, 0))).toThrow(
      expect.objectContaining({ code: 'ERR_PDF_LIMIT' }),
    );
  });

  it('bounds a decompression bomb', () => {
    const pdf = ascii(
      '%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\nxref\n0 2\n0000000000 65535 f \n0000000009 00000 n \ntrailer\n<< /Size 2 /Root 1 0 R >>\nstartxref\n45\n%%EOF\n',
    );
    const doc = openPdf(pdf, { maxDecodedBytes: 1024 });
    const bomb = new PdfStream(
      new PdfDict([['Filter', PdfName.of('FlateDecode')]]),
      new Uint8Array(deflateSync(Buffer.alloc(1 << 20))),
    );
    expect(() => doc.decode(bomb)).toThrow(expect.objectContaining({ code: 'ERR_PDF_LIMIT' }));
  });

  it('refuses an xref that points at the wrong object', () => {
    const text = Buffer.from(minimal).toString('latin1');
    // Swap the offsets of objects 1 and 2 in the table (same length, so nothing else moves).
    const m =
      /xref\s+0 \d+\s+0000000000 65535 f\s?\r?\n(\d{10}) 00000 n(\s?\r?\n)(\d{10}) 00000 n/.exec(
        text,
      )!;
    const swapped = text.replace(
      m[0],
      m[0].replace(m[1]!, 'X').replace(m[3]!, m[1]!).replace('X', m[3]!),
    );
    const doc = openPdf(ascii(swapped));
    expect(() => getPages(doc)).toThrow(expect.objectContaining({ code: 'ERR_PDF_PARSE' }));
  });
});

describe('hex strings (ISO 32000-1 7.3.4.3)', () => {
  const lex = (text: string, end?: number): PdfLexer =>
    new PdfLexer(new TextEncoder().encode(text), 0, end);
  const read = (text: string): string => {
    const l = lex(text);
    const v = l.parseObject();
    expect(v).toBeInstanceOf(PdfString);
    return Buffer.from((v as PdfString).bytes).toString('hex');
  };

  it('reads digits of either case, with or without white space, and a missing last digit as 0', () => {
    expect(read('<901FA3>')).toBe('901fa3');
    expect(read('<90 1f\na\r3>')).toBe('901fa3');
    expect(read('<901FA>')).toBe('901fa0');
    expect(read('<>')).toBe('');
    expect(read('< >')).toBe('');
    const l = lex('<00ff> 12');
    l.parseObject();
    expect(l.parseObject()).toBe(12);
    expect(read(`<${'00'.repeat(40_000)}>`)).toBe('00'.repeat(40_000));
  });

  it('refuses a non-hex byte and an unterminated string, with the offset', () => {
    for (const [text, offset] of [
      ['<0g00>', 2],
      ['<00g0>', 3],
      ['<00 0z>', 5],
      ['<0000', 0],
    ] as const) {
      expect(() => lex(text).parseObject()).toThrow(
        expect.objectContaining({ code: 'ERR_PDF_PARSE', offset }) as Error,
      );
    }
    // The closing '>' lies beyond the lexer's end: unterminated within its range.
    expect(() => lex('<0000>', 5).parseObject()).toThrow(
      expect.objectContaining({ code: 'ERR_PDF_PARSE' }) as Error,
    );
  });
});

describe('IncrementalWriter', () => {
  const tmp = tempDir('govtrust-pdf-writer-');
  afterAll(() => tmp.cleanup());

  it('appends in the input style, keeps the original bytes and /ID[0], and re-opens', async () => {
    const table = await makePdf();
    const inputs: [string, Uint8Array][] = [['table', table]];
    if (hasTool('qpdf')) inputs.push(['stream', withObjectStreams(tmp.dir, table)]);
    for (const [style, pdf] of inputs) {
      const doc = openPdf(pdf);
      const w = new IncrementalWriter(doc);
      const page = getPages(doc)[0]!;
      w.editDict(page.ref!).set('Rotate', 90);
      const added = w.add(new PdfDict([['Type', PdfName.of('Test')]]));
      const out = w.write();
      expect(Buffer.from(out.bytes.subarray(0, pdf.length)).equals(Buffer.from(pdf))).toBe(true);
      const again = openPdf(out.bytes);
      expect(again.revisions).toHaveLength(2);
      expect(again.latest.xrefStyle).toBe(style);
      expect(again.trailer.get('Prev')).toBe(doc.startxref);
      expect(getPages(again)[0]!.rotate).toBe(90);
      expect((again.getObject(added) as PdfDict).getName('Type')).toBe('Test');
      const oldId = doc.resolveArray(doc.trailer.get('ID'));
      const newId = again.resolveArray(again.trailer.get('ID'))!;
      expect(newId).toHaveLength(2);
      // pdf-lib writes no /ID (one is created); qpdf does (its ID[0] is kept).
      if (oldId !== undefined)
        expect(Buffer.from((newId[0] as PdfString).bytes)).toEqual(
          Buffer.from((oldId[0] as PdfString).bytes),
        );
      if (hasTool('qpdf')) {
        const file = tmp.write(`w-${style}.pdf`, out.bytes);
        expect(qpdfCheck(file).ok).toBe(true);
      }
    }
  });

  it('rewrites an object that lived in an object stream as a plain object', () => {
    const pdf = fixture('uncompressed-objstream-sample.pdf');
    const doc = openPdf(pdf);
    const [num] = [...doc.entriesAt()].find(
      ([n, e]) => e.type === 'compressed' && doc.getObject(new PdfRef(n, 0)) instanceof PdfDict,
    )!;
    const w = new IncrementalWriter(doc);
    w.editDict(new PdfRef(num, 0)).set('GovTrustMark', true);
    const again = openPdf(w.write().bytes);
    expect(again.entry(num)).toMatchObject({ type: 'offset' });
    expect((again.getObject(new PdfRef(num, 0)) as PdfDict).get('GovTrustMark')).toBe(true);
    // The old revision still sees the compressed version.
    expect(again.entry(num, 0)).toMatchObject({ type: 'compressed' });
    expect((again.getObject(new PdfRef(num, 0), 0) as PdfDict).has('GovTrustMark')).toBe(false);
  });
});

describe('text positions for keyword placement', () => {
  it('finds Latin text in a pdf-lib Helvetica page where pdf-lib drew it', async () => {
    const doc = openPdf(await makePdf());
    const hits = findKeyword(doc, getPages(doc), 'test page');
    expect(hits).toHaveLength(1);
    const [x0, y0, x1, y1] = hits[0]!.rect;
    // makePdf draws "GovTrust test page 1" at (72, 760), 14 pt Helvetica.
    expect(x0).toBeGreaterThan(72 + 40);
    expect(x1).toBeLessThan(72 + 180);
    expect(y0).toBeGreaterThan(755 - 14 * 0.3);
    expect(y1).toBeLessThan(760 + 14);
  });

  it('reads ToUnicode CMaps: bfchar, bfrange with a start value, bfrange with an array', () => {
    const cmap = parseCMap(
      new Uint8Array(
        Buffer.from(
          [
            '1 begincodespacerange <0000> <ffff> endcodespacerange',
            '2 beginbfchar <0001> <76d6> <0002> <d83dde00> endbfchar',
            '2 beginbfrange <0010> <0012> <0041> <0020> <0021> [<7ae0> <5904>] endbfrange',
          ].join('\n'),
          'latin1',
        ),
      ),
    );
    expect(cmap.map.get(1)).toBe('盖');
    expect(cmap.map.get(2)).toBe('😀');
    expect([0x10, 0x11, 0x12].map((c) => cmap.map.get(c))).toEqual(['A', 'B', 'C']);
    expect([0x20, 0x21].map((c) => cmap.map.get(c))).toEqual(['章', '处']);
    expect(cmap.ranges).toEqual([{ len: 2, lo: 0, hi: 0xffff }]);
  });
});

describe('mutated files', () => {
  it('fail with a GovTrust code or parse, never crash or hang (600 seeded mutations)', () => {
    const bases = [
      fixture('minimal.pdf'),
      fixture('minimal-xref.pdf'),
      fixture('uncompressed-objstream-sample.pdf'),
    ];
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const unexpected: string[] = [];
    for (let i = 0; i < 600; i++) {
      const base = bases[i % bases.length]!;
      const bytes = new Uint8Array(base);
      const edits = 1 + rand(4);
      for (let k = 0; k < edits; k++) bytes[rand(bytes.length)] = rand(256);
      try {
        const doc = openPdf(bytes);
        getPages(doc);
        getAcroForm(doc);
        for (const num of doc.entriesAt().keys()) doc.getObject(new PdfRef(num, 0));
      } catch (err) {
        if (!(err instanceof GovTrustError)) unexpected.push(`${i}: ${String(err)}`);
      }
    }
    expect(unexpected).toEqual([]);
  });
});
