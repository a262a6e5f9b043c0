/** Licence status vocabulary, the lifecycle state machine (every state x action) and the provincial 0-7 results. */
import { describe, expect, it } from 'vitest';
import {
  effectiveLicenceStatus,
  isLicenceExpired,
  isLicenceNotYetValid,
  licenceStatusReasons,
  provincialResultMessages,
  toProvincialResult,
  transitionLicenceStatus,
  type LicenceStatusAction,
  type LicenceStatusReasonCode,
  type StoredLicenceState,
} from '@govtrust/core/licence';

const AT = new Date('2025-06-01T02:00:00Z');
const reasonFor: Record<LicenceStatusAction, LicenceStatusReasonCode> = {
  suspend: 'suspend.penalty',
  resume: 'resume.period-ended',
  revoke: 'revoke.penalty',
  cancel: 'cancel.holder-request',
  supersede: 'supersede.change',
};

/** Expected outcome of each action from each stored state: the new state, or the refusal code. */
const table: Record<
  StoredLicenceState,
  Record<LicenceStatusAction, StoredLicenceState | 'refused'>
> = {
  valid: {
    suspend: 'suspended',
    resume: 'refused',
    revoke: 'revoked',
    cancel: 'cancelled',
    supersede: 'superseded',
  },
  suspended: {
    suspend: 'refused',
    resume: 'valid',
    revoke: 'revoked',
    cancel: 'cancelled',
    supersede: 'refused',
  },
  revoked: {
    suspend: 'refused',
    resume: 'refused',
    revoke: 'refused',
    cancel: 'refused',
    supersede: 'refused',
  },
  cancelled: {
    suspend: 'refused',
    resume: 'refused',
    revoke: 'refused',
    cancel: 'refused',
    supersede: 'refused',
  },
  superseded: {
    suspend: 'refused',
    resume: 'refused',
    revoke: 'refused',
    cancel: 'refused',
    supersede: 'refused',
  },
};

describe('licence lifecycle state machine', () => {
  for (const [from, row] of Object.entries(table) as [
    StoredLicenceState,
    Record<LicenceStatusAction, string>,
  ][]) {
    for (const [action, outcome] of Object.entries(row) as [LicenceStatusAction, string][]) {
      it(`${from} --${action}--> ${outcome}`, () => {
        const run = () =>
          transitionLicenceStatus(
            { state: from, since: '2025-01-01T00:00:00.000Z' },
            {
              action,
              reasonCode: reasonFor[action],
              at: AT,
              reason: '决定书 2025-001',
              ...(action === 'supersede' ? { supersededBy: 'next-id' } : {}),
            },
            { expired: false },
          );
        if (outcome === 'refused') {
          expect(run).toThrow(
            expect.objectContaining({ code: 'ERR_LICENCE_STATUS_TRANSITION', from, action }),
          );
        } else {
          expect(run()).toEqual({
            state: outcome,
            since: AT.toISOString(),
            reasonCode: reasonFor[action],
            reason: '决定书 2025-001',
            ...(action === 'supersede' ? { supersededBy: 'next-id' } : {}),
          });
        }
      });
    }
  }

  it('refuses a reason of another action, and supersede without the new identifier', () => {
    expect(() =>
      transitionLicenceStatus(
        { state: 'valid', since: '' },
        { action: 'revoke', reasonCode: 'suspend.penalty', at: AT },
        { expired: false },
      ),
    ).toThrow(expect.objectContaining({ code: 'ERR_LICENCE_STATUS_REASON' }));
    expect(() =>
      transitionLicenceStatus(
        { state: 'valid', since: '' },
        { action: 'revoke', reasonCode: 'nope' as never, at: AT },
        { expired: false },
      ),
    ).toThrow(expect.objectContaining({ code: 'ERR_LICENCE_STATUS_REASON' }));
    expect(() =>
      transitionLicenceStatus(
        { state: 'valid', since: '' },
        { action: 'supersede', reasonCode: 'supersede.change', at: AT },
        { expired: false },
      ),
    ).toThrow(expect.objectContaining({ code: 'ERR_LICENCE_STATUS_REASON' }));
  });

  it('lets an expired licence be revoked or cancelled only', () => {
    for (const action of ['suspend', 'supersede'] as const) {
      expect(() =>
        transitionLicenceStatus(
          { state: 'valid', since: '' },
          { action, reasonCode: reasonFor[action], at: AT, supersededBy: 'x' },
          { expired: true },
        ),
      ).toThrow(expect.objectContaining({ code: 'ERR_LICENCE_STATUS_EXPIRED' }));
    }
    expect(
      transitionLicenceStatus(
        { state: 'valid', since: '' },
        { action: 'cancel', reasonCode: 'cancel.not-renewed', at: AT },
        { expired: true },
      ).state,
    ).toBe('cancelled');
  });

  it('maps every reason to its action and to the 住建部 certState vocabulary', () => {
    for (const [code, r] of Object.entries(licenceStatusReasons)) {
      expect(code.startsWith(`${r.action}.`)).toBe(true);
      expect(['01', '02', '03', '04', '05', '06', '07', '99']).toContain(r.mohurdCertState);
    }
    expect(licenceStatusReasons['revoke.penalty'].mohurdCertState).toBe('07');
    expect(licenceStatusReasons['revoke.annulment'].mohurdCertState).toBe('03');
    expect(licenceStatusReasons['cancel.holder-request'].mohurdCertState).toBe('04');
    expect(licenceStatusReasons['suspend.penalty'].mohurdCertState).toBe('02');
  });
});

describe('expiry and provincial results', () => {
  it('computes expiry on China dates (UTC+8)', () => {
    // 2027-01-08 is the last valid day; at 2027-01-08T16:00Z it is already 01-09 in Beijing.
    expect(isLicenceExpired('2027-01-08', new Date('2027-01-08T15:59:59Z'))).toBe(false);
    expect(isLicenceExpired('2027-01-08', new Date('2027-01-08T16:00:00Z'))).toBe(true);
    expect(isLicenceExpired(null, new Date('2999-01-01T00:00:00Z'))).toBe(false);
    expect(isLicenceNotYetValid('2025-06-02', new Date('2025-06-01T15:59:59Z'))).toBe(true);
    expect(isLicenceNotYetValid('2025-06-02', new Date('2025-06-01T16:00:00Z'))).toBe(false);
    expect(effectiveLicenceStatus('suspended', '2020-01-01', AT)).toBe('expired');
    expect(effectiveLicenceStatus('revoked', '2020-01-01', AT)).toBe('revoked');
    expect(effectiveLicenceStatus('valid', null, AT)).toBe('valid');
  });

  it('maps outcomes to 0-7 as the provincial sharing API does', () => {
    expect(toProvincialResult({ found: true, status: 'valid' })).toBe(0);
    expect(toProvincialResult({ found: true, status: 'valid', notYetValid: true })).toBe(1);
    expect(toProvincialResult({ found: true, status: 'suspended' })).toBe(2);
    for (const status of ['revoked', 'cancelled', 'expired', 'superseded'] as const)
      expect(toProvincialResult({ found: true, status })).toBe(3);
    expect(toProvincialResult({ found: false, reason: 'ambiguous' })).toBe(4);
    expect(toProvincialResult({ found: false, reason: 'not-found' })).toBe(5);
    expect(toProvincialResult({ found: false, reason: 'missing-parameters' })).toBe(6);
    expect(toProvincialResult({ found: true, status: 'valid', mismatch: true })).toBe(7);
    expect(provincialResultMessages[3]).toBe('信息正确且证照已失效');
  });
});
