/** Error codes and classes of the cms area. @module */

/** Codes of this area with their meaning (thrown codes and the codes reports carry). */
export const cmsCodes = {} as const;
