/** Error codes and classes of the store area. @module */

/** Codes of this area with their meaning (thrown codes and the codes reports carry). */
export const storeCodes = {} as const;
