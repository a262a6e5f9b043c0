import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as fontkit from 'fontkit';
import { describe, expect, it } from 'vitest';
import { cjkGlyph, cjkFontFile, loadCjkFont, openCjkFont } from '../../src/seal/image/font.js';

const fontsDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../fonts');

/** The GB 2312 hanzi (rows 0xB0-0xF7), decoded independently of the build script. */
function gb2312Hanzi(): string[] {
  const decoder = new TextDecoder('gb2312');
  const out: string[] = [];
  for (let lead = 0xb0; lead <= 0xf7; lead++) {
    for (let trail = 0xa1; trail <= 0xfe; trail++) {
      const ch = decoder.decode(new Uint8Array([lead, trail]));
      if (/^\p{Script=Han}$/u.test(ch)) out.push(ch);
    }
  }
  return out;
}

describe('embedded CJK font', () => {
  it('is an OpenType font shipped in the package, at most 5 MB, loaded once', () => {
    const bytes = loadCjkFont();
    expect(loadCjkFont()).toBe(bytes);
    // 'OTTO': OpenType with CFF outlines.
    expect(Buffer.from(bytes.subarray(0, 4)).toString('latin1')).toBe('OTTO');
    expect(bytes.length).toBeLessThan(5 * 1024 * 1024);
    // Buffer.compare: vitest's deep equality walks 2.7 million elements one by one.
    expect(Buffer.compare(bytes, readFileSync(resolve(fontsDir, cjkFontFile)))).toBe(0);
  });

  it('is Noto Serif CJK SC under the SIL Open Font License, with its licence text beside it', () => {
    const font = openCjkFont();
    expect(font.familyName).toBe('Noto Serif CJK SC');
    expect(font.postscriptName).toBe('NotoSerifCJKsc-Regular');
    // fontkit's typings omit the parsed name table.
    const records = (
      font as unknown as { name: { records: Record<string, Record<string, string> | undefined> } }
    ).name.records;
    expect(records.license?.en).toContain('SIL Open Font License, Version 1.1');
    expect(records.copyright?.en).toContain('Adobe');
    const ofl = readFileSync(resolve(fontsDir, 'OFL.txt'), 'utf8');
    expect(ofl).toContain('SIL OPEN FONT LICENSE Version 1.1');
    expect(ofl).toContain('Copyright © 2017-2022 Adobe');
    const sources = readFileSync(resolve(fontsDir, 'SOURCES.md'), 'utf8');
    expect(sources).toContain(cjkFontFile);
    expect(sources).toContain('scripts/build-cjk-font.ts');
  });

  it('covers all 6,763 GB 2312 hanzi, printable ASCII and the 通用规范汉字表 name characters', () => {
    const hanzi = gb2312Hanzi();
    expect(hanzi).toHaveLength(6763);
    const font = openCjkFont();
    const missing = hanzi.filter((c) => !font.hasGlyphForCodePoint(c.codePointAt(0)!));
    expect(missing).toEqual([]);
    for (let c = 0x21; c <= 0x7e; c++) expect(font.hasGlyphForCodePoint(c)).toBe(true);
    // Name and place characters outside GB 2312 but in the 2013 general standard table.
    for (const c of Array.from('堃喆玥珺昇镕犇垚䶮〇《》（）：；、。“”—…·')) {
      expect(font.hasGlyphForCodePoint(c.codePointAt(0)!), c).toBe(true);
    }
  });

  it('reads glyph outlines straight from the font file', () => {
    const independent = fontkit.create(readFileSync(resolve(fontsDir, cjkFontFile)));
    if ('fonts' in independent) throw new Error('collection');
    const ref = independent.glyphForCodePoint('章'.codePointAt(0)!);
    const g = cjkGlyph('章');
    expect(g.glyphId).toBe(ref.id);
    expect(g.advance).toBe(1000);
    // CFF outlines are cubic: the commands match fontkit's path one to one.
    const svg = g.commands
      .map((c) =>
        c.op === 'Z'
          ? 'Z'
          : c.op === 'C'
            ? `C${c.x1} ${c.y1} ${c.x2} ${c.y2} ${c.x} ${c.y}`
            : `${c.op}${c.x} ${c.y}`,
      )
      .join('');
    expect(svg).toBe(ref.path.toSVG());
  });

  it('gives ERR_FONT_GLYPH_MISSING, naming the character, for what the subset lacks', () => {
    // Hangul and CJK Extension B are in the full Noto Serif CJK but not in the subset; an emoji in neither.
    for (const [ch, cp] of [
      ['한', 'U+D55C'],
      ['𠀀', 'U+20000'],
      ['😀', 'U+1F600'],
    ] as const) {
      let caught: unknown;
      try {
        cjkGlyph(ch, 'text');
      } catch (err) {
        caught = err;
      }
      expect(caught).toMatchObject({
        code: 'ERR_FONT_GLYPH_MISSING',
        character: ch,
        codePoint: cp,
        field: 'text',
      });
    }
  });
});
