/**
 * The licence face pieces: line breaking with Chinese punctuation rules, the layout checks of a
 * type record, the QR drawing read back by an ISO/IEC 18004 decoder, deterministic PDF output, and
 * the page text read back by GovTrust's own extractor through the ToUnicode map.
 */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkLicenceType,
  faceDate,
  layoutFace,
  loadLicenceTypes,
  writeFacePdf,
  type LicenceType,
} from '@govtrust/core/licence';
import { PdfStream, extractGlyphs, getPage, openPdf } from '@govtrust/core/pdf';
import { wrapText } from '../../src/licence/face/layout.js';
import { qrContent, readQrContent } from '../../src/licence/face/qr.js';
import { sampleLicence, sampleTypeJson, TYPES_DIR } from './samples.js';

let types: LicenceType[];
beforeAll(async () => {
  types = await loadLicenceTypes(TYPES_DIR);
});

describe('wrapText', () => {
  it('never starts a line with closing punctuation nor ends one with opening punctuation', () => {
    const text =
      '一般项目：软件开发；信息技术咨询服务（不含许可类信息咨询服务）。数据处理服务，互联网销售。';
    for (const width of [40, 55, 61, 73, 90, 120]) {
      const lines = wrapText(text, width, 10);
      expect(lines.join('')).toBe(text);
      for (const l of lines.slice(1))
        expect('，。；：）』」'.includes(l[0]!), `${width}: ${l}`).toBe(false);
      for (const l of lines.slice(0, -1))
        expect('（「『'.includes(l.at(-1)!), `${width}: ${l}`).toBe(false);
    }
  });

  it('keeps a Latin word or number whole when it fits, and breaks one longer than a line', () => {
    const lines = wrapText('住所 Room 1203, Building 5', 60, 10);
    expect(lines.some((l) => l.includes('Building') || l === 'Building')).toBe(true);
    expect(lines.join(' ').replace(/\s+/g, ' ')).toContain('Room 1203,');
    const long = wrapText('91350100M000100Y43', 30, 10);
    expect(long.length).toBeGreaterThan(1);
    expect(long.join('')).toBe('91350100M000100Y43');
  });

  it('formats face dates as printed licences do', () => {
    expect(faceDate('2025-03-01')).toBe('2025年03月01日');
  });
});

describe('face layouts in type records', () => {
  it('refuses a layout naming a field the type lacks, or a second column without columns: 2', () => {
    const json = sampleTypeJson('business-licence') as {
      face: { layout: { body: Record<string, unknown> } };
    };
    const body = json.face.layout.body;
    const bad = structuredClone(json);
    (bad.face.layout.body.items as { value: string }[])[0]!.value = 'fields.nope';
    expect(
      checkLicenceType(bad)
        .errors.map((e) => e.message)
        .join(),
    ).toContain('fields.nope names no field');
    const oneColumn = structuredClone(json);
    oneColumn.face.layout.body = { ...body, columns: 1 };
    expect(checkLicenceType(oneColumn).errors.map((e) => e.path)).toContain(
      'face.layout.body.columns',
    );
    expect(
      checkLicenceType({
        ...json,
        face: { ...json.face, layout: { page: { width: 10, height: 10 } } },
      }).valid,
    ).toBe(false);
  });

  it('a type without a layout cannot be rendered: ERR_LICENCE_FACE_LAYOUT', () => {
    const type = types.find((t) => t.name === '营业执照')!;
    const { layout: _layout, ...face } = type.face!;
    expect(() => layoutFace(sampleLicence('business-licence'), { ...type, face })).toThrow(
      expect.objectContaining({ code: 'ERR_LICENCE_FACE_LAYOUT' }) as Error,
    );
  });
});

describe('QR drawing', () => {
  it('reads back what it draws (ISO/IEC 18004 decoder over the rasterised modules)', () => {
    for (const text of [
      'https://zwfw.example.gov.cn/v1/licences/verify?id=1.2.156.3005.2.11100000MB0G30001B001.11350100MB1F200071.2025FZ0000123.001.G&d=EUKMVPuTXIpvOMKLr_HPKA',
      'https://a.cn/v?id=X&d=Y',
    ]) {
      const qr = qrContent(text);
      expect(readQrContent(qr.content, qr.modules)).toBe(text);
    }
    expect(readQrContent('0 0 5 1 re', 29)).toBeUndefined();
  });

  it('reads back every code of a sweep of verification URLs (none of the ~1% an earlier decoder missed)', () => {
    // These three made the earlier reader (@paulmillr/qr/decode) throw; a cascade test failed on one.
    const earlierMisses = [
      'http://127.0.0.1:3000/verify?id=c16254f095f09612de79c4df&d=gfL6z6zhNooiLjg4dgcMHwIS3a0E5iuOQSvW0FYMrVc',
      'http://127.0.0.1:3000/verify?id=5a41512c8ba2f4f5028f8dd8&d=9SzHQXz6ZZzHAgOj4Yk7kt57hBRej8oLdkzlFTBi1tM',
      'http://127.0.0.1:3000/verify?id=b2a479f00ff65100e2d47693&d=vmGJbKoU7ixgrrCbagFs1K1VO2bOInXtefgPKuZU4eU',
    ];
    const sweep = Array.from({ length: 400 }, (_, i) => {
      const h = createHash('sha256').update(String(i)).digest();
      return `https://zwfw.example.gov.cn/v1/licences/verify?id=${h.subarray(0, 12).toString('hex')}&d=${h.toString('base64url')}`;
    });
    const misses = [...earlierMisses, ...sweep].filter((text) => {
      const qr = qrContent(text);
      return readQrContent(qr.content, qr.modules) !== text;
    });
    expect(misses).toEqual([]);
  });
});

describe('writeFacePdf', () => {
  it('is deterministic, and its text reads back through the ToUnicode map', async () => {
    const data = sampleLicence('construction-special-operations');
    const type = types.find((t) => t.typeCode === data.typeCode)!;
    const make = () =>
      writeFacePdf({
        plan: layoutFace(data, type),
        qrText: 'https://zwfw.example.gov.cn/v1/licences/verify?id=x&d=y',
        attachment: {
          name: 'licence.json',
          data: new TextEncoder().encode('{}'),
          mimeType: 'application/json',
          description: '电子证照数据',
          relationship: 'Source',
          modified: new Date('2026-01-01T00:00:00Z'),
        },
        info: {
          title: data.name,
          author: data.issuer.name,
          subject: data.identifier,
          created: new Date('2026-01-01T00:00:00Z'),
        },
      });
    const a = await make();
    const b = await make();
    expect(Buffer.compare(a, b)).toBe(0);
    const doc = openPdf(a);
    const text = extractGlyphs(doc, getPage(doc, 0))
      .map((g) => g.text)
      .join('');
    for (const v of [
      data.holder.name,
      data.holder.code,
      '建筑电工',
      '1990年03月07日',
      data.issuer.name,
    ])
      expect(text).toContain(v);
    const fd = doc.resolveDict(
      doc
        .resolveDict(
          doc.resolveArray(
            doc
              .resolveDict(doc.resolveDict(getPage(doc, 0).resources!.get('Font'))!.get('F1'))!
              .get('DescendantFonts'),
          )![0],
        )!
        .get('FontDescriptor'),
    )!;
    const file = doc.resolve(fd.get('FontFile3'));
    expect(file).toBeInstanceOf(PdfStream);
    expect((file as PdfStream).dict.getName('Subtype')).toBe('CIDFontType0C');
    // A subset: far smaller than the 2.7 MB font.
    expect(a.length).toBeLessThan(60_000);
  });
});
