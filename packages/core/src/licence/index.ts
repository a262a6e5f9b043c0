/**
 * `@govtrust/core/licence`: electronic licences (电子证照): identifiers (GB/T 36904) and the
 * holder and authority codes (GB 32100, GB 11643, GB/T 2260), licence types (证照目录), licence
 * data (GB/T 36903 metadata, RFC 8785 canonical JSON), status and lifecycle, W3C Bitstring Status
 * Lists, and the registry on the `store` interface.
 * @module
 */
export type { CheckIssue, CheckMode } from './issues.js';
export { describeIssue } from './issues.js';
export {
  computeMod3736,
  computeUsccCheck,
  computeOrgCodeCheck,
  computeResidentIdCheck,
  USCC_ALPHABET,
} from './check-characters.js';
export type { Division, DivisionLevel, DivisionRow, DivisionTable } from './divisions.js';
export {
  createDivisionTable,
  defaultDivisionTable,
  divisionLevel,
  provinceNames,
  NATIONAL_DIVISION_CODE,
} from './divisions.js';
export type { UsccParts, UsccReport, UsccCheckOptions } from './uscc.js';
export { checkUscc, isValidUscc, usccDepartments } from './uscc.js';
export type { ResidentIdParts, ResidentIdReport, ResidentIdCheckOptions } from './resident-id.js';
export {
  checkResidentId,
  isValidResidentId,
  upgradeResidentId15,
  maskResidentId,
  maskHolderName,
  chinaDate,
} from './resident-id.js';
export type {
  LicenceIdParts,
  ParsedLicenceId,
  LicenceIdReport,
  LicenceIdCheckOptions,
} from './identifier.js';
export {
  LICENCE_ID_ROOT,
  LICENCE_ID_MAX_LENGTH,
  checkLicenceId,
  checkLicenceTypeCode,
  parseLicenceId,
  formatLicenceId,
  generateLicenceSerial,
  nextLicenceVersion,
  licenceLineage,
} from './identifier.js';
export type {
  CodeReport,
  CodeCheckOptions,
  DivisionReport,
  LicenceTypeCodeReport,
  UnrecognisedCodeReport,
} from './check-code.js';
export { checkCode, checkDivisionCode } from './check-code.js';
export type {
  AuthorityLevel,
  HolderCategory,
  LicenceFaceItem,
  LicenceFaceLayout,
  LicenceFaceValue,
  LicenceFieldType,
  LicenceFieldSpec,
  LicenceType,
  LicenceTypeReport,
} from './licence-type.js';
export {
  checkLicenceType,
  parseLicenceType,
  loadLicenceTypes,
  holderCodeTypeNames,
} from './licence-type.js';
export type {
  LicenceData,
  LicenceHolder,
  LicenceIssuer,
  LicenceFieldValue,
  StatusListEntry,
  LicenceTypeSource,
  LicenceDataOptions,
  LicenceDataReport,
  LicenceDraft,
} from './licence-data.js';
export {
  LICENCE_DATA_FORMAT,
  validateLicenceData,
  assertLicenceData,
  draftLicenceData,
  canonicalLicenceJson,
  canonicalLicenceBytes,
  toMetadataElements,
  isCalendarDate,
  addYears,
} from './licence-data.js';
export type { JsonObject, JsonValue } from '../internal/canonical-json.js';
export { canonicalizeJson, canonicalJsonBytes } from '../internal/canonical-json.js';
export type {
  LicenceStatus,
  StoredLicenceState,
  LicenceStatusAction,
  LicenceStatusReason,
  LicenceStatusReasonCode,
  LicenceStatusRecord,
  LicenceStatusChange,
  ProvincialResult,
} from './status.js';
export {
  licenceStatusReasons,
  transitionLicenceStatus,
  isLicenceExpired,
  isLicenceNotYetValid,
  effectiveLicenceStatus,
  provincialResultMessages,
  toProvincialResult,
} from './status.js';
export type {
  StatusPurpose,
  DecodeStatusListOptions,
  StatusListCredential,
  StatusListCredentialOptions,
  StatusEntryRef,
  StatusEntryResult,
  SignedStatusList,
  StatusListProofEncoder,
} from './status-list.js';
export {
  STATUS_LIST_MIN_ENTRIES,
  STATUS_LIST_MAX_BYTES,
  createStatusBitstring,
  getStatus,
  setStatus,
  encodeStatusList,
  decodeStatusList,
  createStatusListCredential,
  checkStatusEntry,
  signStatusListCredential,
  verifyStatusListSignature,
  cmsProofEncoder,
  rawProofEncoder,
} from './status-list.js';
export type { ListStatusReport } from './status-check.js';
export { checkLicenceStatusWithLists } from './status-check.js';
export type {
  LicenceRecord,
  LicenceEvent,
  StatusListRecord,
  StatusListSlot,
  WithLicenceRegistry,
  LicenceRegistryOptions,
  LicenceRegistryChange,
  LicenceStatusReport,
  StatusChangeOptions,
  LicenceRegistry,
} from './registry.js';
export { licenceCollections, licenceLogs, createLicenceRegistry } from './registry.js';
export type {
  SignedLicence,
  LicenceStatusInfo,
  LicenceStatusSource,
  LicenceVerificationCheck,
  LicenceVerificationReport,
  VerifySignedLicenceOptions,
} from './signed-data.js';
export {
  SIGNED_LICENCE_FORMAT,
  signLicenceData,
  serializeSignedLicence,
  parseSignedLicence,
  verifySignedLicenceData,
  registryStatusSource,
  statusListSource,
} from './signed-data.js';
export type { IssueLicenceOptions, IssuedLicence, SupersedeLicenceOptions } from './issue.js';
export {
  LICENCE_SEAL_FIELD,
  issueLicence,
  supersedeLicence,
  licenceDigest,
  licenceVerificationUrl,
  licenceAttachmentName,
} from './issue.js';
export type { FacePlan, FaceText } from './face/layout.js';
export { layoutFace, faceDate, faceValueText } from './face/layout.js';
export type { FaceAttachment, FacePdfOptions } from './face/pdf.js';
export { writeFacePdf } from './face/pdf.js';
export type { FaceIssue, FaceContentReport } from './face-check.js';
export type { VerifyLicenceOptions, LicenceFaceReport, LicenceReport } from './verify.js';
export { verifyLicence } from './verify.js';
