/** Offline licence status from published Bitstring Status Lists (revocation and suspension) and the validity period. @module */
import { StatusListError } from '../errors/index.js';
import type { LicenceData } from './licence-data.js';
import {
  isLicenceExpired,
  isLicenceNotYetValid,
  provincialResultMessages,
  toProvincialResult,
  type LicenceStatus,
  type ProvincialResult,
} from './status.js';
import { checkStatusEntry, type StatusListCredential } from './status-list.js';

/** Result of `checkLicenceStatusWithLists`. */
export interface ListStatusReport {
  /** `revoked` stands for every revocation-type state (吊销/撤销, 注销, superseded): a list cannot tell them apart. */
  readonly status: LicenceStatus;
  readonly notYetValid: boolean;
  readonly result: ProvincialResult;
  readonly resultMessage: string;
  /** The bit read in each list. */
  readonly bits: { readonly revocation?: number; readonly suspension?: number };
}

/**
 * The status of licence data from status lists whose proofs the caller has verified: the
 * revocation bit (set → revoked), then the validity period (expired), then the suspension bit.
 * @throws {StatusListError} ERR_STATUS_LIST_PURPOSE when the data has no status entries or a list
 *   it points at is not given; ERR_STATUS_LIST_DECODE, _LENGTH, _RANGE from reading the lists
 */
export function checkLicenceStatusWithLists(
  data: LicenceData,
  lists: readonly StatusListCredential[],
  options: { readonly now: Date; readonly minEntries?: number },
): ListStatusReport {
  const entries = data.status ?? [];
  if (entries.length === 0)
    throw new StatusListError(
      'ERR_STATUS_LIST_PURPOSE',
      `${data.identifier} has no status list entries`,
    );
  const bits: { revocation?: number; suspension?: number } = {};
  for (const entry of entries) {
    const list = lists.find((l) => l.id === entry.statusListCredential);
    if (list === undefined) {
      throw new StatusListError(
        'ERR_STATUS_LIST_PURPOSE',
        `The ${entry.statusPurpose} list ${entry.statusListCredential} was not given`,
      );
    }
    const r = checkStatusEntry(
      list,
      entry,
      options.minEntries === undefined ? {} : { minEntries: options.minEntries },
    );
    bits[entry.statusPurpose] = r.status;
  }
  const status: LicenceStatus =
    bits.revocation === 1
      ? 'revoked'
      : isLicenceExpired(data.validUntil, options.now)
        ? 'expired'
        : bits.suspension === 1
          ? 'suspended'
          : 'valid';
  const notYetValid = isLicenceNotYetValid(data.validFrom, options.now);
  const result = toProvincialResult({ found: true, status, notYetValid });
  return { status, notYetValid, result, resultMessage: provincialResultMessages[result], bits };
}
