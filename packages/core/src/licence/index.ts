/** `@govtrust/core/licence`: electronic licences (电子证照): identifiers, issuing, face PDFs, verification, status. @module */
export {};
