/** Error codes and classes of the seal area. @module */

/** Codes of this area with their meaning (thrown codes and the codes reports carry). */
export const sealCodes = {} as const;
