/** Shared pieces of server-side and two-step sealing: positions to PDF placements, the seal appearance and the GB/T 38540 seal attribute. @module */
import type { SealPosition } from '@govtrust/core/client';
import type { PdfSealPlacement } from '@govtrust/core/pdf';
import { createSealAttribute, parseSeal, type SealAttribute } from '@govtrust/core/seal';
import type { SealRecord } from '../storage/schema.js';

const PT_PER_MM = 72 / 25.4;

/** The PDF placement of a position; the seal's own size is the default size. */
export function toPlacement(p: SealPosition, seal: SealRecord): PdfSealPlacement {
  const unit = p.unit ?? 'mm';
  const scale = unit === 'pt' ? PT_PER_MM : 1;
  const width = p.width ?? seal.widthMm * scale;
  const height = p.height ?? (p.width === undefined ? seal.heightMm * scale : undefined);
  const size = { width, ...(height === undefined ? {} : { height }), unit };
  switch (p.type) {
    case 'page':
      return { page: p.page, x: p.x, y: p.y, ...size };
    case 'keyword':
      return {
        keyword: p.keyword,
        ...(p.occurrence === undefined ? {} : { occurrence: p.occurrence }),
        ...(p.page === undefined ? {} : { page: p.page }),
        ...(p.offsetX === undefined ? {} : { offsetX: p.offsetX }),
        ...(p.offsetY === undefined ? {} : { offsetY: p.offsetY }),
        ...size,
      };
    case 'riding':
      return {
        riding: {
          ...(p.pages === undefined ? {} : { pages: [p.pages[0], p.pages[1]] as const }),
          edge: 'right',
          ...(p.y === undefined ? {} : { y: p.y }),
          ...size,
        },
      };
  }
}

const attributeCache = new Map<string, SealAttribute>();

/** The CMS signed attribute carrying the seal's GB/T 38540 data (cached per seal generation). */
export function sealAttributeOf(seal: SealRecord): SealAttribute {
  const k = `${seal.id}:${seal.generation}`;
  let a = attributeCache.get(k);
  if (a === undefined) {
    a = createSealAttribute(parseSeal(new Uint8Array(Buffer.from(seal.sealData, 'base64'))));
    if (attributeCache.size > 1000) attributeCache.clear();
    attributeCache.set(k, a);
  }
  return a;
}

/** The seal picture (PNG) for the appearance. */
export function pictureOf(seal: SealRecord): Uint8Array {
  return new Uint8Array(Buffer.from(seal.picture, 'base64'));
}
