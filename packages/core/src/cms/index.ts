/** `@govtrust/core/cms`: CMS SignedData (RFC 5652) build and verify with CAdES/PAdES attributes. @module */
export {};
