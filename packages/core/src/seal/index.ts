/** `@govtrust/core/seal`: GB/T 38540 electronic seals (SES_Seal, SES_Signature), seal making and verification, OFD seals. @module */
export {};
