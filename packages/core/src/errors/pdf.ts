/** Error codes and classes of the pdf area. @module */

/** Codes of this area with their meaning (thrown codes and the codes reports carry). */
export const pdfCodes = {} as const;
