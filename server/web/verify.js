// @ts-check
/**
 * The verifier page (served at /verify under a strict CSP: this file is its only script): the
 * licence of a scanned QR code (?id=&d=, GET /v1/public/licences/{id}) and the report of a dropped
 * sealed PDF, OFD or licence file (POST /v1/documents/verify), in Chinese or English. Every
 * verdict is a word and an icon besides its colour. No framework, no build step.
 */

/** @typedef {'zh' | 'en'} Lang */
/** @typedef {{ readonly zh: string, readonly en: string }} I18nText */
/** @typedef {'ok' | 'bad' | 'warn' | 'info' | 'grey'} Tone */
/** @typedef {'check' | 'cross' | 'alert' | 'pause' | 'minus' | 'clock' | 'swap'} IconName */
/** @typedef {{ readonly code: string, readonly message: string }} Issue */
/**
 * @typedef {{
 *   readonly mediaType: string, readonly width: number, readonly height: number, readonly dataUrl: string
 * }} SealPicture
 */
/**
 * @typedef {{
 *   readonly field?: string, readonly id?: string, readonly location?: string,
 *   readonly status: string, readonly intact: boolean, readonly coverage: string,
 *   readonly modifications?: string, readonly unprotectedFiles?: readonly string[],
 *   readonly trusted: boolean, readonly revocation: string, readonly level: string | null,
 *   readonly algorithm: string | null,
 *   readonly signer: { readonly subject: string, readonly issuer: string } | null,
 *   readonly signingTime: string | null,
 *   readonly timestamp: { readonly time: string, readonly tsa: string, readonly valid: boolean } | null,
 *   readonly seal: {
 *     readonly esID: string, readonly name: string, readonly valid: boolean,
 *     readonly validFrom: string, readonly validTo: string
 *   } | null,
 *   readonly sealPicture?: SealPicture | null,
 *   readonly errors: readonly Issue[], readonly warnings: readonly Issue[]
 * }} SignatureReport
 */
/**
 * @typedef {{
 *   readonly name: string, readonly status: string, readonly code?: string, readonly message?: string
 * }} LicenceCheck
 */
/**
 * @typedef {{
 *   readonly kind: 'pdf' | 'ofd' | 'licence-face' | 'licence-data',
 *   readonly status: string, readonly checkedAt: string,
 *   readonly file?: { readonly sha256: string, readonly size: number },
 *   readonly signatures?: readonly SignatureReport[],
 *   readonly face?: { readonly signatures: readonly SignatureReport[] },
 *   readonly errors?: readonly Issue[], readonly warnings?: readonly Issue[],
 *   readonly identifier?: string, readonly licenceStatus?: string,
 *   readonly resultMessage?: string, readonly checks?: readonly LicenceCheck[],
 *   readonly signer?: { readonly subject: string }
 * }} DocumentReport
 */
/**
 * @typedef {{
 *   readonly identifier: string, readonly status: string, readonly statusReason?: string,
 *   readonly statusLabel?: I18nText,
 *   readonly licenceType: { readonly code: string, readonly name: string },
 *   readonly number?: string,
 *   readonly issuer: { readonly name: string, readonly code: string },
 *   readonly validFrom: string, readonly validTo?: string | null,
 *   readonly holder: { readonly name: string, readonly code: string, readonly codeType: string },
 *   readonly checkedAt: string, readonly source?: { readonly node: string }
 * }} PublicLicence
 */
/** @typedef {{ readonly code?: string, readonly detail?: string, readonly status?: number }} Problem */

/** Every text of the page. */
const texts = /** @type {const} */ ({
  skip: { zh: '跳到主要内容', en: 'Skip to main content' },
  title: { zh: '电子印章与电子证照核验', en: 'Verify electronic seals and licences' },
  licenceTitle: { zh: '证照状态核验', en: 'Licence status check' },
  licenceIntro: {
    zh: '您扫描了电子证照上的二维码。查询结果来自证照目录，并会记录本次用证。',
    en: 'You scanned the QR code of an electronic licence. The answer comes from the licence directory, and this use is recorded.',
  },
  causeLabel: { zh: '用证事由', en: 'Reason for the check (用证事由)' },
  causeHint: {
    zh: '请说明查询该证照的原因，例如“办理企业开户”（2 至 200 个字）。',
    en: 'Say why you check this licence, e.g. "opening a company bank account" (2 to 200 characters).',
  },
  causeSubmit: { zh: '查询', en: 'Check' },
  causeTooShort: {
    zh: '请填写用证事由（至少 2 个字）。',
    en: 'Enter the reason for the check (at least 2 characters).',
  },
  documentTitle: { zh: '文件核验', en: 'Check a file' },
  documentIntro: {
    zh: '核验已签章的 PDF、OFD 文档或电子证照文件（照面 PDF 或签名数据 JSON）。文件仅用于本次核验，不会被保存。',
    en: 'Check a sealed PDF, an OFD document or an electronic licence file (face PDF or signed data JSON). The file is used for this check only and is not kept.',
  },
  dropText: { zh: '将文件拖放到此处，或', en: 'Drop a file here, or' },
  chooseFile: { zh: '选择文件', en: 'Choose a file' },
  dropHint: { zh: '支持 PDF、OFD、JSON', en: 'PDF, OFD and JSON files' },
  footer: {
    zh: 'GovTrust 核验服务：签章、证书与时间戳按本服务配置的信任锚核验。',
    en: "GovTrust verification: seals, certificates and time-stamps are checked against this service's trust anchors.",
  },
  checking: { zh: '正在核验', en: 'Checking' },
  querying: { zh: '正在查询证照状态…', en: 'Looking up the licence…' },
  docValid: { zh: '有效', en: 'Valid' },
  docValidSub: {
    zh: '所有签章均有效，签署后文件未被篡改。',
    en: 'Every seal is valid and the file was not changed after signing.',
  },
  licValidSub: {
    zh: '证照数据真实完整，签名有效，证照目前有效。',
    en: 'The licence data is authentic and intact, its signature valid, and the licence in force.',
  },
  licNotInForceSub: {
    zh: '证照数据真实，但证照目前不在有效状态。',
    en: 'The licence data is authentic, but the licence is not in force.',
  },
  docInvalid: { zh: '无效', en: 'Not valid' },
  docInvalidSub: {
    zh: '至少有一个签章无效，或文件在签署后被改动。',
    en: 'At least one seal is not valid, or the file was changed after signing.',
  },
  docIndeterminate: { zh: '无法确认', en: 'Cannot be confirmed' },
  docIndeterminateSub: {
    zh: '签章完好，但无法确认其可信（例如证书不受信任或状态未知）。',
    en: 'The seals are intact, but their trust cannot be established (e.g. an unknown certificate or status).',
  },
  noSignatures: { zh: '文件中没有签章。', en: 'The file carries no seal or signature.' },
  fileName: { zh: '文件', en: 'File' },
  kind: { zh: '类型', en: 'Kind' },
  kindPdf: { zh: 'PDF 文档', en: 'PDF document' },
  kindOfd: { zh: 'OFD 文档', en: 'OFD document' },
  kindLicenceFace: { zh: '电子证照照面（PDF）', en: 'Licence face (PDF)' },
  kindLicenceData: { zh: '电子证照签名数据', en: 'Signed licence data' },
  size: { zh: '大小', en: 'Size' },
  sha256: { zh: 'SHA-256', en: 'SHA-256' },
  checkedAt: { zh: '核验时间', en: 'Checked at' },
  seals: { zh: '签章', en: 'Seals and signatures' },
  sealCount: { zh: '个签章', en: 'seal(s)' },
  sealPictureOf: { zh: '印章图片：', en: 'Seal picture: ' },
  noPicture: { zh: '无印章图片', en: 'No seal picture' },
  signature: { zh: '签名', en: 'Signature' },
  signer: { zh: '签章人', en: 'Signer' },
  signingTime: { zh: '签章时间', en: 'Signing time' },
  timestamp: { zh: '时间戳', en: 'Time-stamp' },
  none: { zh: '无', en: 'None' },
  tsValid: { zh: '有效', en: 'valid' },
  tsInvalid: { zh: '无效', en: 'not valid' },
  coverage: { zh: '覆盖范围', en: 'Coverage' },
  modifications: { zh: '签署后改动', en: 'Changes after signing' },
  integrity: { zh: '完整性', en: 'Integrity' },
  intact: { zh: '完好：签名与文件内容一致', en: 'Intact: the signature matches the content' },
  notIntact: {
    zh: '已损坏：签名与文件内容不一致',
    en: 'Broken: the signature does not match the content',
  },
  trust: { zh: '证书信任', en: 'Certificate trust' },
  trusted: { zh: '受信任', en: 'Trusted' },
  untrusted: { zh: '不受信任', en: 'Not trusted' },
  revocation: { zh: '吊销状态', en: 'Revocation' },
  sealInfo: { zh: '印章', en: 'Seal' },
  sealValidity: { zh: '印章有效期', en: 'Seal validity' },
  algorithm: { zh: '算法 / 级别', en: 'Algorithm / level' },
  reasons: { zh: '原因', en: 'Reasons' },
  notes: { zh: '提示', en: 'Notes' },
  licenceChecks: { zh: '证照核验项', en: 'Licence checks' },
  licenceId: { zh: '证照标识', en: 'Licence identifier' },
  licenceStanding: { zh: '证照状态', en: 'Licence status' },
  result: { zh: '核验结果', en: 'Result' },
  dataSigner: { zh: '数据签名者', en: 'Data signed by' },
  licType: { zh: '证照类型', en: 'Licence type' },
  licNumber: { zh: '证照编号', en: 'Licence number' },
  issuer: { zh: '颁发机构', en: 'Issuer' },
  validity: { zh: '有效期', en: 'Validity' },
  noEnd: { zh: '长期', en: 'No end date' },
  holder: { zh: '持证主体', en: 'Holder' },
  holderCode: { zh: '主体代码', en: 'Holder code' },
  source: { zh: '数据来源', en: 'Source' },
  cannotVerify: { zh: '无法核验该文件', en: 'The file cannot be checked' },
  cannotQuery: { zh: '无法查询该证照', en: 'The licence cannot be looked up' },
  network: {
    zh: '无法连接核验服务，请稍后重试。',
    en: 'The verification service cannot be reached; try again later.',
  },
  badAnswer: { zh: '核验服务的应答无法识别。', en: 'The answer of the service is not readable.' },
  badLink: {
    zh: '二维码链接不完整（缺少 id 或 d 参数），请重新扫描。',
    en: 'The QR link is incomplete (id or d is missing): scan it again.',
  },
  langButton: { zh: 'English', en: '中文' },
  langLabel: { zh: 'Switch to English', en: '切换到中文' },
});

/** @typedef {keyof typeof texts} TextKey */

/** @type {Readonly<Record<string, { readonly label: I18nText, readonly tone: Tone, readonly icon: IconName }>>} */
const licenceStatuses = {
  valid: { label: { zh: '有效', en: 'Valid' }, tone: 'ok', icon: 'check' },
  suspended: { label: { zh: '暂扣', en: 'Suspended' }, tone: 'warn', icon: 'pause' },
  revoked: { label: { zh: '已吊销', en: 'Revoked' }, tone: 'bad', icon: 'cross' },
  cancelled: { label: { zh: '已注销', en: 'Cancelled' }, tone: 'grey', icon: 'minus' },
  expired: { label: { zh: '已过期', en: 'Expired' }, tone: 'grey', icon: 'clock' },
  superseded: { label: { zh: '已变更', en: 'Superseded' }, tone: 'info', icon: 'swap' },
};

/** @type {Readonly<Record<string, { readonly label: I18nText, readonly tone: Tone, readonly icon: IconName }>>} */
const verdicts = {
  valid: { label: texts.docValid, tone: 'ok', icon: 'check' },
  invalid: { label: texts.docInvalid, tone: 'bad', icon: 'cross' },
  indeterminate: { label: texts.docIndeterminate, tone: 'warn', icon: 'alert' },
};

/** @type {Readonly<Record<string, I18nText>>} */
const coverageLabels = {
  'entire-file': { zh: '覆盖整个文件', en: 'The whole file' },
  'entire-revision': {
    zh: '覆盖签署时的完整版本（其后有增量更新）',
    en: 'The whole revision it signed (later updates follow)',
  },
  'entire-document': { zh: '覆盖整个文档', en: 'The whole document' },
  partial: { zh: '仅覆盖部分内容', en: 'Only part of the content' },
};

/** @type {Readonly<Record<string, I18nText>>} */
const modificationLabels = {
  none: { zh: '签署后未被改动', en: 'None' },
  allowed: { zh: '仅有允许的改动（如后续签章）', en: 'Only permitted changes (e.g. later seals)' },
  disallowed: {
    zh: '有不允许的改动（文件被篡改）',
    en: 'Changes that are not permitted (tampered)',
  },
};

/** @type {Readonly<Record<string, I18nText>>} */
const revocationLabels = {
  good: { zh: '未吊销（已核查）', en: 'Not revoked (checked)' },
  revoked: { zh: '证书已吊销', en: 'Certificate revoked' },
  unknown: { zh: '无法确认', en: 'Unknown' },
  'not-checked': { zh: '未核查', en: 'Not checked' },
};

/** @type {Readonly<Record<string, I18nText>>} */
const checkStatusLabels = {
  passed: { zh: '通过', en: 'passed' },
  failed: { zh: '未通过', en: 'failed' },
  indeterminate: { zh: '无法确认', en: 'undetermined' },
  skipped: { zh: '未检查', en: 'skipped' },
};

/** @type {Readonly<Record<string, I18nText>>} */
const checkNames = {
  data: { zh: '证照数据', en: 'Licence data' },
  type: { zh: '证照类型', en: 'Licence type' },
  signature: { zh: '数据签名', en: 'Data signature' },
  certificate: { zh: '签名证书', en: 'Signing certificate' },
  'issuer-binding': { zh: '颁发机构与证书一致', en: 'Issuer matches certificate' },
  validity: { zh: '有效期', en: 'Validity period' },
  status: { zh: '证照状态', en: 'Licence status' },
  'face-seal': { zh: '照面签章', en: 'Seal on the face' },
  seal: { zh: '电子印章', en: 'Electronic seal' },
  'seal-issuer': { zh: '签章机构与颁发机构一致', en: 'Sealed by the issuer' },
  attachment: { zh: '照面附带的签名数据', en: 'Signed data attached to the face' },
  'face-content': { zh: '照面与数据一致', en: 'Face shows the data' },
};

const LANG_KEY = 'govtrust-verify-lang';
const CAUSE_KEY = 'govtrust-verify-use-cause';

/** @type {Lang} */
let lang = readStored(LANG_KEY, localStorageOrNull()) === 'en' ? 'en' : 'zh';
/** @type {Readonly<Record<string, I18nText>>} */
let codes = {};
/** @type {(() => void) | null} */
let licenceView = null;
/** @type {(() => void) | null} */
let documentView = null;

/** @returns {Storage | null} */
function localStorageOrNull() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** @returns {Storage | null} */
function sessionStorageOrNull() {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/**
 * @param {string} key
 * @param {Storage | null} storage
 * @returns {string | null}
 */
function readStored(key, storage) {
  try {
    return storage === null ? null : storage.getItem(key);
  } catch {
    return null;
  }
}

/**
 * @param {string} key
 * @param {string} value
 * @param {Storage | null} storage
 */
function store(key, value, storage) {
  try {
    storage?.setItem(key, value);
  } catch {
    // Private browsing: the page works without remembering.
  }
}

/** @param {TextKey} key */
function t(key) {
  return texts[key][lang];
}

/** @param {I18nText | undefined} text */
function tr(text) {
  return text === undefined ? '' : text[lang];
}

/**
 * @param {string} id
 * @returns {HTMLElement}
 */
function byId(id) {
  const e = document.getElementById(id);
  if (e === null) throw new Error(`#${id} is missing`);
  return e;
}

/**
 * Creates an element with attributes and children (text is always set as text, never as HTML).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Readonly<Record<string, string>>} [attrs]
 * @param {readonly (Node | string | null)[]} [children]
 * @returns {HTMLElementTagNameMap[K]}
 */
function h(tag, attrs = {}, children = []) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) if (c !== null) e.append(c);
  return e;
}

const SVG = 'http://www.w3.org/2000/svg';

/** @type {Readonly<Record<IconName, readonly string[]>>} */
const iconPaths = {
  check: ['M7 12.5l3.2 3.2L17 9'],
  cross: ['M8 8l8 8', 'M16 8l-8 8'],
  alert: ['M12 6.5v7', 'M12 16.8v.4'],
  pause: ['M10 8v8', 'M14 8v8'],
  minus: ['M7.5 12h9'],
  clock: ['M12 7v5l3.5 2'],
  swap: ['M7 10h9l-3-3', 'M17 14H8l3 3'],
};

/**
 * A status icon (a circle with a distinct mark per meaning), hidden from assistive technology:
 * the word next to it says the same.
 * @param {IconName} name
 */
function icon(name) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', 'icon');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const circle = document.createElementNS(SVG, 'circle');
  circle.setAttribute('cx', '12');
  circle.setAttribute('cy', '12');
  circle.setAttribute('r', '10.5');
  circle.setAttribute('fill', 'none');
  circle.setAttribute('stroke', 'currentColor');
  circle.setAttribute('stroke-width', '2');
  svg.append(circle);
  for (const d of iconPaths[name]) {
    const p = document.createElementNS(SVG, 'path');
    p.setAttribute('d', d);
    p.setAttribute('fill', 'none');
    p.setAttribute('stroke', 'currentColor');
    p.setAttribute('stroke-width', '2.6');
    p.setAttribute('stroke-linecap', 'round');
    p.setAttribute('stroke-linejoin', 'round');
    svg.append(p);
  }
  return svg;
}

/**
 * @param {string | null | undefined} iso
 * @returns {string}
 */
function when(iso) {
  if (iso === null || iso === undefined || iso === '') return t('none');
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'medium',
  });
}

/**
 * A calendar date (YYYY-MM-DD) or an instant, as a date.
 * @param {string | null | undefined} value
 */
function day(value) {
  if (value === null || value === undefined || value === '') return t('noEnd');
  const d = new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(d.getTime())) return value;
  return d.toLocaleDateString(lang === 'zh' ? 'zh-CN' : 'en-GB', {
    dateStyle: 'long',
    timeZone: value.length === 10 ? 'UTC' : undefined,
  });
}

/** @param {number} n */
function bytesText(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * The common name (and organisation) of an RFC 4514 subject, else the subject.
 * @param {string} subject
 */
function displayName(subject) {
  /** @param {string} attr */
  const get = (attr) => {
    const m = new RegExp(`(?:^|,)\\s*${attr}=((?:\\\\.|[^,])*)`).exec(subject);
    return m?.[1]?.replace(/\\(.)/g, '$1');
  };
  const cn = get('CN');
  const o = get('O');
  if (cn === undefined) return subject;
  return o === undefined || o === cn ? cn : `${cn}（${o}）`;
}

/**
 * A definition list of facts.
 * @param {readonly (readonly [string, Node | string])[]} rows
 */
function facts(rows) {
  const dl = h('dl', { class: 'facts' });
  for (const [k, v] of rows) dl.append(h('dt', {}, [k]), h('dd', {}, [v]));
  return dl;
}

/**
 * @param {{ readonly label: I18nText, readonly tone: Tone, readonly icon: IconName }} v
 */
function badge(v) {
  return h('span', { class: `badge tone-${v.tone}` }, [icon(v.icon), tr(v.label)]);
}

/**
 * The big verdict block: icon, word and a sentence, focusable so that it can receive focus.
 * @param {{ readonly label: I18nText, readonly tone: Tone, readonly icon: IconName }} v
 * @param {string} sub
 * @param {string} id
 */
function verdictBlock(v, sub, id) {
  return h('div', { class: `verdict tone-${v.tone}`, id, tabindex: '-1' }, [
    icon(v.icon),
    h('div', {}, [
      h('p', { class: 'verdict-word' }, [tr(v.label)]),
      h('p', { class: 'verdict-sub' }, [sub]),
    ]),
  ]);
}

/**
 * The meaning of a code in the page language, with the technical detail under it.
 * @param {Issue} issue
 */
function reasonItem(issue) {
  const meaning = codes[issue.code];
  return h('li', {}, [
    meaning === undefined ? issue.message : tr(meaning),
    h('span', { class: 'code' }, [`${issue.code}: ${issue.message}`]),
  ]);
}

/**
 * @param {string} title
 * @param {readonly Issue[] | undefined} issues
 * @returns {Node[]}
 */
function reasonList(title, issues) {
  if (issues === undefined || issues.length === 0) return [];
  return [
    h('p', { class: 'reasons-title' }, [title]),
    h('ul', { class: 'reasons' }, issues.map(reasonItem)),
  ];
}

/** @param {string} status */
function verdictOf(status) {
  return (
    verdicts[status] ?? verdicts.invalid ?? { label: texts.docInvalid, tone: 'bad', icon: 'cross' }
  );
}

/**
 * One card per seal or signature.
 * @param {SignatureReport} s
 * @param {number} index
 */
function sealCard(s, index) {
  const v = verdictOf(s.status);
  const name =
    s.seal?.name ??
    (s.field !== undefined && s.field !== '' ? s.field : `${t('signature')} ${index + 1}`);
  const titleId = `seal-${index}-title`;
  const picture =
    s.sealPicture === null || s.sealPicture === undefined
      ? h('div', { class: 'no-picture' }, [t('noPicture')])
      : h('img', {
          class: 'seal-picture',
          src: s.sealPicture.dataUrl,
          alt: `${t('sealPictureOf')}${name}`,
          width: '96',
          height: '96',
        });
  const ts = s.timestamp;
  const rows = /** @type {(readonly [string, Node | string])[]} */ ([
    [t('signer'), s.signer === null ? t('none') : displayName(s.signer.subject)],
    [t('signingTime'), when(s.signingTime)],
    [
      t('timestamp'),
      ts === null
        ? t('none')
        : `${when(ts.time)} · ${ts.valid ? t('tsValid') : t('tsInvalid')} · ${displayName(ts.tsa)}`,
    ],
    [t('coverage'), tr(coverageLabels[s.coverage]) || s.coverage],
  ]);
  if (s.modifications !== undefined)
    rows.push([t('modifications'), tr(modificationLabels[s.modifications]) || s.modifications]);
  rows.push(
    [t('integrity'), s.intact ? t('intact') : t('notIntact')],
    [t('trust'), s.trusted ? t('trusted') : t('untrusted')],
    [t('revocation'), tr(revocationLabels[s.revocation]) || s.revocation],
  );
  if (s.seal !== null)
    rows.push(
      [t('sealInfo'), `${s.seal.name} · ${s.seal.esID}`],
      [t('sealValidity'), `${day(s.seal.validFrom)} – ${day(s.seal.validTo)}`],
    );
  rows.push([t('algorithm'), [s.algorithm ?? '—', s.level ?? '—'].join(' / ')]);
  return h('li', { class: `card tone-${v.tone}`, 'aria-labelledby': titleId }, [
    h('div', { class: 'card-head' }, [
      picture,
      h('div', { class: 'card-title' }, [h('h3', { id: titleId }, [name])]),
      badge(v),
    ]),
    facts(rows),
    ...reasonList(t('reasons'), s.errors),
    ...reasonList(t('notes'), s.warnings),
  ]);
}

/**
 * @param {DocumentReport} report
 * @param {string} fileName
 */
function renderReport(report, fileName) {
  const isLicence = report.kind === 'licence-face' || report.kind === 'licence-data';
  const standing =
    report.licenceStatus === undefined ? undefined : licenceStatuses[report.licenceStatus];
  let v = verdictOf(report.status);
  let sub =
    report.status === 'valid'
      ? t(isLicence ? 'licValidSub' : 'docValidSub')
      : report.status === 'indeterminate'
        ? t('docIndeterminateSub')
        : t('docInvalidSub');
  // An authentic licence that is no longer in force: its status is the verdict.
  if (
    isLicence &&
    report.status === 'valid' &&
    standing !== undefined &&
    report.licenceStatus !== 'valid'
  ) {
    v = standing;
    sub = t('licNotInForceSub');
  }
  const kindText = {
    pdf: t('kindPdf'),
    ofd: t('kindOfd'),
    'licence-face': t('kindLicenceFace'),
    'licence-data': t('kindLicenceData'),
  }[report.kind];
  const signatures = report.signatures ?? report.face?.signatures ?? [];
  const rows = /** @type {(readonly [string, Node | string])[]} */ ([
    [t('fileName'), fileName],
    [t('kind'), kindText],
  ]);
  if (report.file !== undefined)
    rows.push([t('size'), bytesText(report.file.size)], [t('sha256'), report.file.sha256]);
  if (isLicence) {
    rows.push([t('licenceId'), report.identifier ?? '—']);
    if (standing !== undefined) rows.push([t('licenceStanding'), badge(standing)]);
    if (report.resultMessage !== undefined) rows.push([t('result'), report.resultMessage]);
    if (report.signer !== undefined)
      rows.push([t('dataSigner'), displayName(report.signer.subject)]);
  }
  rows.push([t('checkedAt'), when(report.checkedAt)]);
  /** @type {Node[]} */
  const parts = [verdictBlock(v, sub, 'document-verdict'), facts(rows)];
  parts.push(...reasonList(t('reasons'), report.errors));
  parts.push(...reasonList(t('notes'), report.warnings));
  if (report.checks !== undefined && report.checks.length > 0) {
    parts.push(
      h('h3', { class: 'reasons-title' }, [t('licenceChecks')]),
      h(
        'ul',
        { class: 'reasons' },
        report.checks.map((c) =>
          h('li', {}, [
            `${tr(checkNames[c.name]) || c.name}: ${tr(checkStatusLabels[c.status]) || c.status}`,
          ]),
        ),
      ),
    );
  }
  if (report.kind !== 'licence-data') {
    parts.push(
      h('h3', { class: 'reasons-title', id: 'seals-title' }, [
        `${t('seals')}（${signatures.length}）`,
      ]),
    );
    if (signatures.length === 0) parts.push(h('p', {}, [t('noSignatures')]));
    else
      parts.push(
        h('ol', { class: 'cards', 'aria-labelledby': 'seals-title' }, signatures.map(sealCard)),
      );
  }
  return parts;
}

/**
 * @param {Problem} problem
 * @param {TextKey} title
 */
function renderProblem(problem, title) {
  const code = problem.code;
  const meaning = code === undefined ? undefined : codes[code];
  return [
    h('div', { class: 'error-box', role: 'alert', id: 'problem', tabindex: '-1' }, [
      h('h3', {}, [icon('cross'), ' ', t(title)]),
      h('p', {}, [meaning === undefined ? (problem.detail ?? t('network')) : tr(meaning)]),
      code === undefined ? null : h('p', { class: 'code' }, [`${code}: ${problem.detail ?? ''}`]),
    ]),
  ];
}

/**
 * Replaces the content of a result region and moves focus to its first focusable block.
 * @param {HTMLElement} region
 * @param {readonly Node[]} nodes
 * @param {boolean} focus
 */
function show(region, nodes, focus) {
  region.replaceChildren(...nodes);
  if (focus) {
    const target = region.querySelector('[tabindex="-1"]');
    if (target instanceof HTMLElement) target.focus();
  }
}

/**
 * @param {Response} res
 * @returns {Promise<unknown>}
 */
async function jsonOf(res) {
  try {
    /** @type {unknown} */
    const body = JSON.parse(await res.text());
    return body;
  } catch {
    return undefined;
  }
}

/**
 * @param {unknown} body
 * @param {number} status
 * @returns {Problem}
 */
function problemOf(body, status) {
  if (typeof body === 'object' && body !== null) {
    const b = /** @type {{ code?: unknown, detail?: unknown }} */ (body);
    return {
      ...(typeof b.code === 'string' ? { code: b.code } : {}),
      ...(typeof b.detail === 'string' ? { detail: b.detail } : {}),
      status,
    };
  }
  return { status, detail: t('badAnswer') };
}

// ---- Documents -------------------------------------------------------------------------------

/** @param {File} file */
async function verifyFile(file) {
  const region = byId('document-result');
  const progress = byId('progress');
  progress.textContent = `${t('checking')} ${file.name}…`;
  region.replaceChildren();
  /** @type {() => readonly Node[]} */
  let render;
  try {
    const res = await fetch('/v1/documents/verify', {
      method: 'POST',
      headers: { 'Content-Type': file.type === '' ? 'application/octet-stream' : file.type },
      body: file,
    });
    const body = await jsonOf(res);
    if (res.ok && typeof body === 'object' && body !== null) {
      const report = /** @type {DocumentReport} */ (body);
      render = () => renderReport(report, file.name);
    } else {
      const problem = problemOf(body, res.status);
      render = () => renderProblem(problem, 'cannotVerify');
    }
  } catch {
    render = () => renderProblem({ detail: t('network') }, 'cannotVerify');
  }
  progress.textContent = '';
  documentView = () => show(region, render(), false);
  show(region, render(), true);
}

function setUpDropZone() {
  const drop = byId('drop');
  const input = /** @type {HTMLInputElement} */ (byId('file'));
  input.addEventListener('change', () => {
    const f = input.files?.[0];
    if (f !== undefined) void verifyFile(f);
    input.value = '';
  });
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const f = e.dataTransfer?.files[0];
    if (f !== undefined) void verifyFile(f);
  });
}

// ---- Licence QR ------------------------------------------------------------------------------

/**
 * @param {PublicLicence} l
 * @returns {Node[]}
 */
function renderLicence(l) {
  const s = licenceStatuses[l.status] ?? {
    label: l.statusLabel ?? { zh: l.status, en: l.status },
    tone: 'warn',
    icon: 'alert',
  };
  const sub = `${l.licenceType.name} · ${l.holder.name}`;
  /** @type {(readonly [string, Node | string])[]} */
  const rows = [
    [t('licType'), l.licenceType.name],
    [t('licNumber'), l.number ?? '—'],
    [t('licenceId'), l.identifier],
    [t('issuer'), `${l.issuer.name}（${l.issuer.code}）`],
    [t('validity'), `${day(l.validFrom)} – ${day(l.validTo)}`],
    [t('holder'), l.holder.name],
    [t('holderCode'), l.holder.code],
    [t('checkedAt'), when(l.checkedAt)],
  ];
  if (l.source !== undefined) rows.push([t('source'), l.source.node]);
  return [verdictBlock(s, sub, 'licence-verdict'), facts(rows)];
}

/**
 * @param {string} id
 * @param {string} d
 * @param {string} cause
 */
async function queryLicence(id, d, cause) {
  const region = byId('licence-result');
  const submit = /** @type {HTMLButtonElement} */ (byId('cause-submit'));
  submit.disabled = true;
  show(region, [h('p', { class: 'progress' }, [t('querying')])], false);
  /** @type {() => readonly Node[]} */
  let render;
  try {
    const q = new URLSearchParams({ d });
    if (cause !== '') q.set('useCause', cause);
    const res = await fetch(`/v1/public/licences/${encodeURIComponent(id)}?${q.toString()}`, {
      headers: { Accept: 'application/json' },
    });
    const body = await jsonOf(res);
    if (res.ok && typeof body === 'object' && body !== null) {
      const licence = /** @type {PublicLicence} */ (body);
      render = () => renderLicence(licence);
    } else {
      const problem = problemOf(body, res.status);
      render = () => renderProblem(problem, 'cannotQuery');
    }
  } catch {
    render = () => renderProblem({ detail: t('network') }, 'cannotQuery');
  }
  submit.disabled = false;
  licenceView = () => show(region, render(), false);
  show(region, render(), true);
}

/**
 * @returns {Promise<'required' | 'optional'>}
 */
async function useCausePolicy() {
  try {
    const res = await fetch('/verify/assets/settings.json');
    const body = await jsonOf(res);
    if (typeof body === 'object' && body !== null) {
      const s = /** @type {{ useCause?: unknown }} */ (body);
      if (s.useCause === 'optional') return 'optional';
    }
  } catch {
    // The strict default.
  }
  return 'required';
}

async function setUpLicence() {
  const params = new URLSearchParams(window.location.search);
  const id = params.get('id');
  const d = params.get('d');
  if (id === null && d === null) return;
  const section = byId('licence');
  section.hidden = false;
  if (id === null || id === '' || d === null || d === '') {
    show(byId('licence-result'), renderProblem({ detail: t('badLink') }, 'cannotQuery'), false);
    byId('cause-form').hidden = true;
    return;
  }
  const policy = await useCausePolicy();
  const form = /** @type {HTMLFormElement} */ (byId('cause-form'));
  const input = /** @type {HTMLInputElement} */ (byId('cause'));
  const error = byId('cause-error');
  input.required = policy === 'required';
  const remembered = readStored(CAUSE_KEY, sessionStorageOrNull());
  if (remembered !== null) input.value = remembered;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const cause = input.value.trim();
    if (policy === 'required' && cause.length < 2) {
      error.textContent = t('causeTooShort');
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    error.textContent = '';
    input.removeAttribute('aria-invalid');
    store(CAUSE_KEY, cause, sessionStorageOrNull());
    void queryLicence(id, d, cause);
  });
  // A reload (or a page without a required cause) asks again at once with the remembered cause.
  if (policy === 'optional' || (remembered !== null && remembered.trim().length >= 2))
    void queryLicence(id, d, input.value.trim());
  else input.focus();
}

// ---- Language --------------------------------------------------------------------------------

function applyLanguage() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  document.title = `${t('title')} · GovTrust`;
  for (const e of document.querySelectorAll('[data-i18n]')) {
    const key = e.getAttribute('data-i18n');
    if (key !== null && Object.hasOwn(texts, key)) e.textContent = t(/** @type {TextKey} */ (key));
  }
  const button = byId('lang');
  button.textContent = t('langButton');
  button.setAttribute('lang', lang === 'zh' ? 'en' : 'zh-CN');
  button.setAttribute('aria-label', t('langLabel'));
  licenceView?.();
  documentView?.();
}

async function loadCodes() {
  try {
    const res = await fetch('/verify/assets/error-codes.json');
    const body = await jsonOf(res);
    if (res.ok && typeof body === 'object' && body !== null)
      codes = /** @type {Readonly<Record<string, I18nText>>} */ (body);
  } catch {
    // Reasons then show the server's (English) message only.
  }
}

async function main() {
  byId('lang').addEventListener('click', () => {
    lang = lang === 'zh' ? 'en' : 'zh';
    store(LANG_KEY, lang, localStorageOrNull());
    applyLanguage();
  });
  applyLanguage();
  setUpDropZone();
  await loadCodes();
  await setUpLicence();
  document.body.setAttribute('data-ready', 'true');
}

void main();

export {};
