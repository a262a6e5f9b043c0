/** Error codes and classes of the pki area. @module */

/** Codes of this area with their meaning (thrown codes and the codes reports carry). */
export const pkiCodes = {} as const;
