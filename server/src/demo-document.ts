/** A small demo PDF (ISO 32000-1, classic xref table) for the quick start: two pages of text with a "Seal here:" keyword. @module */

/** Builds the demo PDF: A4 pages, Helvetica text, a keyword for keyword placement. */
export function makeDemoPdf(
  options: { readonly title?: string; readonly pages?: number } = {},
): Uint8Array {
  const pages = Math.max(1, Math.min(20, options.pages ?? 2));
  const title = (options.title ?? 'GovTrust demo approval').replace(/[()\\]/g, '');
  const objects: string[] = [];
  // 1: catalog, 2: pages, 3: font, then per page: page + contents.
  objects.push('<< /Type /Catalog /Pages 2 0 R >>');
  const kids = Array.from({ length: pages }, (_, i) => `${4 + i * 2} 0 R`).join(' ');
  objects.push(`<< /Type /Pages /Kids [${kids}] /Count ${pages} >>`);
  objects.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  for (let i = 0; i < pages; i++) {
    const lines = [
      `BT /F1 18 Tf 72 770 Td (${title}) Tj ET`,
      `BT /F1 11 Tf 72 740 Td (Page ${i + 1} of ${pages}. This document was generated for the GovTrust quick start.) Tj ET`,
      `BT /F1 11 Tf 72 722 Td (It carries no meaning; seal it with govtrust remote seal and check it with pdfsig.) Tj ET`,
      ...(i === pages - 1 ? ['BT /F1 12 Tf 360 200 Td (Seal here:) Tj ET'] : []),
    ].join('\n');
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Resources << /Font << /F1 3 0 R >> >> /Contents ${5 + i * 2} 0 R >>`,
    );
    objects.push(
      `<< /Length ${Buffer.byteLength(lines, 'latin1')} >>\nstream\n${lines}\nendstream`,
    );
  }
  let out = '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /ID [<${'a1'.repeat(16)}> <${'a1'.repeat(16)}>] >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(out, 'latin1'));
}
