/** Error codes and classes of the licence area. @module */

/** Codes of this area with their meaning (thrown codes and the codes reports carry). */
export const licenceCodes = {} as const;
