import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { drawSeal, sealToSvg } from '@govtrust/core/seal';
import { cli } from './helpers.js';
import { tempDir } from '../../core/test/helpers/tools.js';

describe('govtrust seal image', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  it('writes a round 公章 PNG at the requested size and resolution', async () => {
    const out = t.path('round.png');
    const r = await cli(
      'seal',
      'image',
      '--shape',
      'round',
      '--text',
      '某某市市场监督管理局',
      '--center-text',
      '合同专用章',
      '--code',
      '3101150012345',
      '--size',
      '40',
      '--dpi',
      '254',
      '--out',
      out,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('400 x 400 px');
    const png = readFileSync(out);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    // 40 mm at 254 dpi = 400 px; colour type 6 (RGBA).
    expect([png.readUInt32BE(16), png.readUInt32BE(20), png[25]]).toEqual([400, 400, 6]);
  });

  it('writes the same SVG as the library for the same spec (format from the extension)', async () => {
    const out = t.path('oval.svg');
    const r = await cli(
      'seal',
      'image',
      '--shape',
      'oval',
      '--text',
      '杭州某某贸易有限公司',
      '--code',
      '91330100MA2ABCDE1X',
      '--bottom-text',
      '发票专用章',
      '--out',
      out,
    );
    expect(r.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(
      sealToSvg(
        drawSeal({
          shape: 'oval',
          text: '杭州某某贸易有限公司',
          code: '91330100MA2ABCDE1X',
          bottomText: '发票专用章',
        }),
      ),
    );
  });

  it('--no-star and a square name seal', async () => {
    const r1 = await cli(
      'seal',
      'image',
      '--shape',
      'round',
      '--text',
      '某某有限公司',
      '--no-star',
      '--center-text',
      '业务专用章',
      '--out',
      t.path('nostar.svg'),
    );
    expect(r1.code).toBe(0);
    expect(readFileSync(t.path('nostar.svg'), 'utf8')).toBe(
      sealToSvg(
        drawSeal({ shape: 'round', text: '某某有限公司', star: false, centerText: '业务专用章' }),
      ),
    );
    const r2 = await cli(
      'seal',
      'image',
      '--shape',
      'square',
      '--text',
      '张三之印',
      '--out',
      t.path('sq.png'),
    );
    expect(r2.code).toBe(0);
  });

  it('refuses to overwrite without --force', async () => {
    const out = t.path('twice.svg');
    const args = ['seal', 'image', '--shape', 'square', '--text', '李明', '--out', out];
    expect((await cli(...args)).code).toBe(0);
    const again = await cli(...args);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--force');
    expect((await cli(...args, '--force')).code).toBe(0);
  });

  it.each([
    [['--shape', 'round', '--text', '某', '--out', 'x.jpg'], 'ERR_USAGE'],
    [['--shape', 'hexagon', '--text', '某', '--out', 'x.png'], 'ERR_USAGE'],
    [['--shape', 'round', '--text', '某', '--size', 'big', '--out', 'x.png'], 'ERR_USAGE'],
    [['--shape', 'round', '--text', '某', '--dpi', '300', '--out', 'x.svg'], 'ERR_USAGE'],
    [['--shape', 'round', '--out', 'x.png'], 'ERR_USAGE'],
    [['--shape', 'round', '--text', '한국', '--out', 'x.png'], 'ERR_FONT_GLYPH_MISSING'],
    [
      ['--shape', 'square', '--text', '欧阳修之印', '--out', 'x.png'],
      'ERR_SEAL_IMAGE_TEXT_TOO_LONG',
    ],
    [
      ['--shape', 'round', '--text', '某', '--size', '500', '--out', 'x.png'],
      'ERR_SEAL_IMAGE_SPEC',
    ],
    [['--shape', 'round', '--text', '某', '--dpi', '5', '--out', 'x.png'], 'ERR_SEAL_IMAGE_SPEC'],
  ])('%j -> exit 2, %s, no file written', async (args, code) => {
    const argv = args.map((a) =>
      a === 'x.png' || a === 'x.jpg' || a === 'x.svg' ? t.path(`${code}-${a}`) : a,
    );
    const r = await cli('seal', 'image', ...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error ${code}: .*\\n$`));
    for (const name of ['x.png', 'x.jpg', 'x.svg'])
      expect(existsSync(t.path(`${code}-${name}`))).toBe(false);
  });

  it('regenerates the committed samples byte for byte with the commands in samples/SOURCES.md', async () => {
    const samples = resolve(dirname(fileURLToPath(import.meta.url)), '../../../samples');
    const sources = readFileSync(resolve(samples, 'SOURCES.md'), 'utf8');
    const commands = [...sources.matchAll(/`pnpm govtrust (seal image [^`]+)`/g)].map((m) => m[1]!);
    expect(commands.length).toBeGreaterThanOrEqual(3);
    for (const command of commands) {
      // Split like a shell: double-quoted words or runs of non-spaces.
      const argv = [...command.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
      const outIndex = argv.indexOf('--out') + 1;
      const name = argv[outIndex]!.replace(/^samples\//, '');
      argv[outIndex] = t.path(`sample-${name}`);
      const r = await cli(...argv);
      expect(r.code, r.stderr).toBe(0);
      expect(
        Buffer.compare(
          readFileSync(t.path(`sample-${name}`)),
          readFileSync(resolve(samples, name)),
        ),
        name,
      ).toBe(0);
    }
  });
});
