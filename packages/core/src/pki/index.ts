/** `@govtrust/core/pki`: certificates and CA profiles, CRL, OCSP, RFC 3161 time stamps, path validation, trust stores. @module */
export {};
