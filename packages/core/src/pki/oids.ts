/** Object identifiers of X.509 (RFC 5280), CMS (RFC 5652), ESS (RFC 5035), TSP (RFC 3161) and OCSP (RFC 6960). @module */

/** PKIX, CMS and TSP object identifiers, each named after its ASN.1 registration. */
export const pkixOids = {
  // Name attributes (X.520, RFC 4519).
  commonName: '2.5.4.3',
  surname: '2.5.4.4',
  serialNumber: '2.5.4.5',
  countryName: '2.5.4.6',
  localityName: '2.5.4.7',
  stateOrProvinceName: '2.5.4.8',
  streetAddress: '2.5.4.9',
  organizationName: '2.5.4.10',
  organizationalUnitName: '2.5.4.11',
  title: '2.5.4.12',
  givenName: '2.5.4.42',
  organizationIdentifier: '2.5.4.97',
  domainComponent: '0.9.2342.19200300.100.1.25',
  userId: '0.9.2342.19200300.100.1.1',
  emailAddress: '1.2.840.113549.1.9.1',
  // Certificate extensions (RFC 5280 4.2).
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  basicConstraints: '2.5.29.19',
  cRLNumber: '2.5.29.20',
  cRLReason: '2.5.29.21',
  invalidityDate: '2.5.29.24',
  deltaCRLIndicator: '2.5.29.27',
  issuingDistributionPoint: '2.5.29.28',
  certificateIssuer: '2.5.29.29',
  nameConstraints: '2.5.29.30',
  cRLDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  policyMappings: '2.5.29.33',
  authorityKeyIdentifier: '2.5.29.35',
  policyConstraints: '2.5.29.36',
  extKeyUsage: '2.5.29.37',
  inhibitAnyPolicy: '2.5.29.54',
  anyPolicy: '2.5.29.32.0',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  // Access methods (RFC 5280 4.2.2.1).
  adOcsp: '1.3.6.1.5.5.7.48.1',
  adCaIssuers: '1.3.6.1.5.5.7.48.2',
  // Extended key usages (RFC 5280 4.2.1.12, RFC 9336).
  anyExtendedKeyUsage: '2.5.29.37.0',
  kpServerAuth: '1.3.6.1.5.5.7.3.1',
  kpClientAuth: '1.3.6.1.5.5.7.3.2',
  kpCodeSigning: '1.3.6.1.5.5.7.3.3',
  kpEmailProtection: '1.3.6.1.5.5.7.3.4',
  kpTimeStamping: '1.3.6.1.5.5.7.3.8',
  kpOcspSigning: '1.3.6.1.5.5.7.3.9',
  kpDocumentSigning: '1.3.6.1.5.5.7.3.36',
  // OCSP (RFC 6960 4.4).
  pkixOcspBasic: '1.3.6.1.5.5.7.48.1.1',
  pkixOcspNonce: '1.3.6.1.5.5.7.48.1.2',
  pkixOcspNocheck: '1.3.6.1.5.5.7.48.1.5',
  // CMS content types (RFC 5652 4, 5.1; RFC 3161 2.4.2) and GB/T 35275's SM2 equivalents.
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  ctTstInfo: '1.2.840.113549.1.9.16.1.4',
  gmData: '1.2.156.10197.6.1.4.2.1',
  gmSignedData: '1.2.156.10197.6.1.4.2.2',
  // CMS and ESS attributes (RFC 5652 11, RFC 2634, RFC 5035, RFC 3161 appendix A).
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  counterSignature: '1.2.840.113549.1.9.6',
  smimeCapabilities: '1.2.840.113549.1.9.15',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  cmsAlgorithmProtect: '1.2.840.113549.1.9.52',
} as const;

/**
 * GovTrust's own OID arc: a UUID-derived OID (ITU-T X.667, `2.25.<uuid as integer>`), which needs no
 * registration and cannot collide. Sub-arcs: `.1` key purposes, `.2` CMS attributes, `.3` policies.
 */
export const govtrustArc = '2.25.252062409652902759042041896071111604086';

/** GovTrust key purposes and policies under `govtrustArc`. */
export const govtrustOids = {
  /** EKU of a seal maker's (制章机构) certificate: signs GB/T 38540 seals. */
  kpSealMaking: `${govtrustArc}.1.1`,
  /** EKU of a licence issuer's certificate: signs licence data (电子证照). */
  kpLicenceSigning: `${govtrustArc}.1.2`,
  /** Certificate policy of the DEV ONLY hierarchy in certs-dev/ (nothing it certifies is real). */
  devPolicy: `${govtrustArc}.3.1`,
} as const;
