/**
 * Licence status (证照状态, DESIGN.md §5): the vocabulary with reason codes mapped to the 住建部
 * certState vocabulary, the lifecycle as a pure state machine (suspend 暂扣 reversible, resume,
 * revoke 吊销/撤销, cancel 注销, supersede 变更/换发), and the provincial 0-7 verification result.
 * @module
 */
import { LicenceStatusError } from '../errors/index.js';
import { chinaDate } from './resident-id.js';

/** The statuses a licence can have; `expired` is computed from the validity period, never stored. */
export type LicenceStatus =
  'valid' | 'suspended' | 'revoked' | 'cancelled' | 'expired' | 'superseded';

/** The stored states (everything but `expired`). */
export type StoredLicenceState = Exclude<LicenceStatus, 'expired'>;

/** Lifecycle actions. */
export type LicenceStatusAction = 'suspend' | 'resume' | 'revoke' | 'cancel' | 'supersede';

/** A reason code with its meaning and the 住建部 electronic-licence `certState` it maps to. */
export interface LicenceStatusReason {
  readonly action: LicenceStatusAction;
  readonly zh: string;
  readonly en: string;
  /** 住建部 certState after the change: 01 有效, 02 暂扣, 03 撤销, 04 注销, 05 失效, 06 办理转出, 07 吊销, 99 其他. */
  readonly mohurdCertState: '01' | '02' | '03' | '04' | '05' | '06' | '07' | '99';
  /** 住建部 operateType of the change: 03 暂扣, 05 注销（撤销、吊销、转出）, 06 暂扣发还, 07 其他, 09 变更, 02 延续. */
  readonly mohurdOperateType: '02' | '03' | '05' | '06' | '07' | '09';
}

/** The reason vocabulary: every status change names one of these codes. */
export const licenceStatusReasons = {
  'suspend.penalty': {
    action: 'suspend',
    zh: '暂扣（行政处罚）',
    en: 'suspended as an administrative penalty',
    mohurdCertState: '02',
    mohurdOperateType: '03',
  },
  'suspend.investigation': {
    action: 'suspend',
    zh: '立案调查期间暂停',
    en: 'suspended during an investigation',
    mohurdCertState: '02',
    mohurdOperateType: '03',
  },
  'suspend.holder-request': {
    action: 'suspend',
    zh: '持证主体申请暂停',
    en: 'suspended at the holder’s request',
    mohurdCertState: '02',
    mohurdOperateType: '03',
  },
  'suspend.other': {
    action: 'suspend',
    zh: '其他原因暂扣',
    en: 'suspended for another reason',
    mohurdCertState: '02',
    mohurdOperateType: '03',
  },
  'resume.period-ended': {
    action: 'resume',
    zh: '暂扣期满发还',
    en: 'suspension period ended',
    mohurdCertState: '01',
    mohurdOperateType: '06',
  },
  'resume.decision-withdrawn': {
    action: 'resume',
    zh: '暂扣决定撤销',
    en: 'suspension decision withdrawn',
    mohurdCertState: '01',
    mohurdOperateType: '06',
  },
  'resume.other': {
    action: 'resume',
    zh: '其他原因恢复',
    en: 'resumed for another reason',
    mohurdCertState: '01',
    mohurdOperateType: '06',
  },
  'revoke.penalty': {
    action: 'revoke',
    zh: '吊销（行政处罚）',
    en: 'revoked as an administrative penalty (吊销)',
    mohurdCertState: '07',
    mohurdOperateType: '05',
  },
  'revoke.annulment': {
    action: 'revoke',
    zh: '撤销（许可违法或以欺骗等不正当手段取得）',
    en: 'annulled: unlawfully granted or obtained by fraud (撤销)',
    mohurdCertState: '03',
    mohurdOperateType: '05',
  },
  'revoke.other': {
    action: 'revoke',
    zh: '其他原因撤销',
    en: 'revoked for another reason',
    mohurdCertState: '03',
    mohurdOperateType: '05',
  },
  'cancel.holder-request': {
    action: 'cancel',
    zh: '持证主体申请注销',
    en: 'cancelled at the holder’s request',
    mohurdCertState: '04',
    mohurdOperateType: '05',
  },
  'cancel.holder-ended': {
    action: 'cancel',
    zh: '持证主体终止或死亡',
    en: 'holder dissolved or deceased',
    mohurdCertState: '04',
    mohurdOperateType: '05',
  },
  'cancel.not-renewed': {
    action: 'cancel',
    zh: '有效期届满未延续',
    en: 'expired without renewal',
    mohurdCertState: '04',
    mohurdOperateType: '05',
  },
  'cancel.transferred-out': {
    action: 'cancel',
    zh: '办理转出',
    en: 'transferred to another authority',
    mohurdCertState: '06',
    mohurdOperateType: '05',
  },
  'cancel.other': {
    action: 'cancel',
    zh: '其他原因注销',
    en: 'cancelled for another reason',
    mohurdCertState: '04',
    mohurdOperateType: '05',
  },
  'supersede.change': {
    action: 'supersede',
    zh: '变更（换发新版本）',
    en: 'changed: a new version was issued',
    mohurdCertState: '05',
    mohurdOperateType: '09',
  },
  'supersede.renewal': {
    action: 'supersede',
    zh: '延续',
    en: 'renewed: a new version was issued',
    mohurdCertState: '05',
    mohurdOperateType: '02',
  },
  'supersede.replacement': {
    action: 'supersede',
    zh: '补发/换发',
    en: 'replaced (lost or damaged)',
    mohurdCertState: '05',
    mohurdOperateType: '07',
  },
  'supersede.correction': {
    action: 'supersede',
    zh: '更正',
    en: 'corrected',
    mohurdCertState: '05',
    mohurdOperateType: '07',
  },
} as const satisfies Record<string, LicenceStatusReason>;

/** A reason code (`<action>.<reason>`). */
export type LicenceStatusReasonCode = keyof typeof licenceStatusReasons;

/** The state each action leads to. */
const target: Record<LicenceStatusAction, StoredLicenceState> = {
  suspend: 'suspended',
  resume: 'valid',
  revoke: 'revoked',
  cancel: 'cancelled',
  supersede: 'superseded',
};

/** The states each action may start from. */
const allowedFrom: Record<LicenceStatusAction, readonly StoredLicenceState[]> = {
  suspend: ['valid'],
  resume: ['suspended'],
  revoke: ['valid', 'suspended'],
  cancel: ['valid', 'suspended'],
  // A suspended licence is resumed before it is changed, so a new version never inherits a suspension.
  supersede: ['valid'],
};

/** A stored status with when and why it was set. */
export interface LicenceStatusRecord {
  readonly state: StoredLicenceState;
  /** When the state was entered (ISO time). */
  readonly since: string;
  readonly reasonCode?: LicenceStatusReasonCode;
  /** Free text given with the change (e.g. the decision number 行政处罚决定书文号). */
  readonly reason?: string;
  /** The identifier of the new version, for `superseded`. */
  readonly supersededBy?: string;
}

/** A status change request. */
export interface LicenceStatusChange {
  readonly action: LicenceStatusAction;
  readonly reasonCode: LicenceStatusReasonCode;
  readonly reason?: string;
  readonly at: Date;
  /** The identifier of the new version (supersede only). */
  readonly supersededBy?: string;
}

/**
 * Applies a status change to the current state (pure): the new status record, or a refusal.
 * Revoked, cancelled and superseded are terminal; only suspension is reversible; an expired
 * licence can still be revoked or cancelled but not suspended, resumed or superseded.
 * @throws {LicenceStatusError} ERR_LICENCE_STATUS_TRANSITION (not allowed from the current state),
 *   ERR_LICENCE_STATUS_EXPIRED (expired), ERR_LICENCE_STATUS_REASON (reason code of another action,
 *   or supersede without the new identifier)
 */
export function transitionLicenceStatus(
  current: LicenceStatusRecord,
  change: LicenceStatusChange,
  context: { readonly expired: boolean },
): LicenceStatusRecord {
  const reason = (licenceStatusReasons as Record<string, LicenceStatusReason | undefined>)[
    change.reasonCode
  ];
  if (reason?.action !== change.action) {
    throw new LicenceStatusError(
      'ERR_LICENCE_STATUS_REASON',
      `Reason ${change.reasonCode} is not a reason to ${change.action}`,
      {
        from: current.state,
        action: change.action,
      },
    );
  }
  if (!allowedFrom[change.action].includes(current.state)) {
    throw new LicenceStatusError(
      'ERR_LICENCE_STATUS_TRANSITION',
      `Cannot ${change.action} a licence that is ${current.state}${current.state === 'suspended' && change.action === 'supersede' ? ' (resume it first)' : ''}`,
      { from: current.state, action: change.action },
    );
  }
  if (context.expired && change.action !== 'revoke' && change.action !== 'cancel') {
    throw new LicenceStatusError(
      'ERR_LICENCE_STATUS_EXPIRED',
      `Cannot ${change.action} an expired licence`,
      {
        from: 'expired',
        action: change.action,
      },
    );
  }
  if (change.action === 'supersede' && change.supersededBy === undefined) {
    throw new LicenceStatusError(
      'ERR_LICENCE_STATUS_REASON',
      'Supersede names the identifier of the new version',
      {
        from: current.state,
        action: change.action,
      },
    );
  }
  return {
    state: target[change.action],
    since: change.at.toISOString(),
    reasonCode: change.reasonCode,
    ...(change.reason === undefined ? {} : { reason: change.reason }),
    ...(change.supersededBy === undefined ? {} : { supersededBy: change.supersededBy }),
  };
}

/** True when a licence valid until `validUntil` (YYYY-MM-DD, China time; null = 长期) has expired at `now`. */
export function isLicenceExpired(validUntil: string | null, now: Date): boolean {
  return validUntil !== null && chinaDate(now) > validUntil;
}

/** True when a licence valid from `validFrom` is not yet in force at `now` (China time). */
export function isLicenceNotYetValid(validFrom: string, now: Date): boolean {
  return chinaDate(now) < validFrom;
}

/** The effective status: a stored terminal state wins; otherwise expiry is computed from the validity period. */
export function effectiveLicenceStatus(
  state: StoredLicenceState,
  validUntil: string | null,
  now: Date,
): LicenceStatus {
  if (state === 'revoked' || state === 'cancelled' || state === 'superseded') return state;
  return isLicenceExpired(validUntil, now) ? 'expired' : state;
}

/** The provincial verification results (certShare `verifyCertInfo`): 0-7. */
export type ProvincialResult = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** The message of each provincial result, as the Shandong sharing service words it. */
export const provincialResultMessages: Readonly<Record<ProvincialResult, string>> = {
  0: '信息正确且有效',
  1: '信息正确且未激活',
  2: '信息正确且证照暂时失效',
  3: '信息正确且证照已失效',
  4: '信息不全无法验证',
  5: '查无此信息',
  6: '请填写certData中参数',
  7: '部分信息有误或不完整',
};

/**
 * Maps a lookup's outcome to the provincial 0-7 result: 0 valid and in force, 1 valid but not yet
 * in force, 2 suspended (暂扣), 3 revoked/cancelled/expired/superseded, 4 several matches, 5 not
 * found, 6 parameters missing, 7 some supplied data did not match the licence.
 */
export function toProvincialResult(
  outcome:
    | {
        readonly found: true;
        readonly status: LicenceStatus;
        readonly notYetValid?: boolean;
        readonly mismatch?: boolean;
      }
    | { readonly found: false; readonly reason: 'not-found' | 'ambiguous' | 'missing-parameters' },
): ProvincialResult {
  if (!outcome.found) {
    return outcome.reason === 'ambiguous' ? 4 : outcome.reason === 'missing-parameters' ? 6 : 5;
  }
  if (outcome.mismatch === true) return 7;
  switch (outcome.status) {
    case 'valid':
      return outcome.notYetValid === true ? 1 : 0;
    case 'suspended':
      return 2;
    case 'revoked':
    case 'cancelled':
    case 'expired':
    case 'superseded':
      return 3;
  }
}
