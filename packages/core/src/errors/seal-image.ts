/** Error codes and classes of the seal image generator and the embedded CJK font. @module */
import { GovTrustError } from './base.js';

/** Codes of this area with their meaning. */
export const sealImageCodes = {
  ERR_SEAL_IMAGE_SPEC: {
    en: 'The seal image specification or rendering option is invalid',
    zh: '印章图像参数或渲染选项无效',
  },
  ERR_SEAL_IMAGE_TEXT_TOO_LONG: {
    en: 'The text has too many characters for this seal shape and size',
    zh: '文字字数超出该印章形状和尺寸的容纳范围',
  },
  ERR_SEAL_IMAGE_LAYOUT: {
    en: 'The seal texts cannot be placed without overlapping or leaving the border',
    zh: '印章文字无法在边框内互不重叠地排布',
  },
  ERR_SEAL_IMAGE_RENDER: {
    en: 'The seal drawing could not be rasterised',
    zh: '印章图形栅格化失败',
  },
  ERR_FONT_GLYPH_MISSING: {
    en: 'A character is not in the embedded Chinese font',
    zh: '内置中文字体中没有该字符',
  },
  ERR_FONT_LOAD: {
    en: 'The embedded Chinese font is missing or unreadable',
    zh: '内置中文字体缺失或无法读取',
  },
} as const;

/** The spec or a rendering option is not acceptable (`ERR_SEAL_IMAGE_SPEC`). */
export class SealImageSpecError extends GovTrustError {
  /** The offending field of the spec or options, e.g. `sizeMm` or `dpi`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super('ERR_SEAL_IMAGE_SPEC', message);
    this.field = field;
  }
}

/** A text has more characters than the shape can hold legibly (`ERR_SEAL_IMAGE_TEXT_TOO_LONG`). */
export class SealImageTextTooLongError extends GovTrustError {
  /** The spec field holding the text (`text`, `centerText`, `bottomText` or `code`). */
  readonly field: string;
  /** The number of characters given. */
  readonly length: number;

  constructor(field: string, length: number, message: string) {
    super('ERR_SEAL_IMAGE_TEXT_TOO_LONG', message);
    this.field = field;
    this.length = length;
  }
}

/** The texts of a spec collide or would leave the border (`ERR_SEAL_IMAGE_LAYOUT`). */
export class SealImageLayoutError extends GovTrustError {
  /** The fields whose texts could not be placed. */
  readonly fields: readonly string[];

  constructor(fields: readonly string[], message: string) {
    super('ERR_SEAL_IMAGE_LAYOUT', message);
    this.fields = fields;
  }
}

/** The rasteriser failed (`ERR_SEAL_IMAGE_RENDER`). */
export class SealImageRenderError extends GovTrustError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_SEAL_IMAGE_RENDER', message, options);
  }
}

/** A character has no glyph in the embedded font (`ERR_FONT_GLYPH_MISSING`). */
export class FontGlyphMissingError extends GovTrustError {
  /** The missing character. */
  readonly character: string;
  /** Its code point, e.g. `U+4DB6`. */
  readonly codePoint: string;
  /** The field of the input that holds it, when known. */
  readonly field: string | undefined;

  constructor(character: string, options?: { field?: string }) {
    const cp = character.codePointAt(0) ?? 0;
    const codePoint = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
    super(
      'ERR_FONT_GLYPH_MISSING',
      `the embedded Chinese font has no glyph for “${character}” (${codePoint})` +
        (options?.field === undefined ? '' : ` in ${options.field}`),
    );
    this.character = character;
    this.codePoint = codePoint;
    this.field = options?.field;
  }
}

/** The embedded font file cannot be read or parsed (`ERR_FONT_LOAD`). */
export class FontLoadError extends GovTrustError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_FONT_LOAD', message, options);
  }
}
