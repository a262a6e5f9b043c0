import { describe, expect, it } from 'vitest';
import {
  GovTrustError,
  InvalidInputError,
  KeyDecryptError,
  Pkcs11Error,
  describeErrorCode,
  errorCodes,
  isGovTrustError,
} from '@govtrust/core/errors';

describe('GovTrustError', () => {
  it('carries a stable code, its class name and the wrapped cause', () => {
    const cause = new Error('bad decrypt');
    const err = new KeyDecryptError(undefined, { cause });
    expect(err.code).toBe('ERR_KEY_DECRYPT');
    expect(err.name).toBe('KeyDecryptError');
    expect(err.cause).toBe(cause);
    expect(err).toBeInstanceOf(GovTrustError);
    expect(isGovTrustError(err, 'ERR_KEY_DECRYPT')).toBe(true);
    expect(isGovTrustError(new Error('x'))).toBe(false);
    // toJSON is what servers and CLIs print: code and message, never the cause.
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      code: 'ERR_KEY_DECRYPT',
      message: err.message,
    });
  });

  it('subclasses keep typed context', () => {
    expect(new InvalidInputError('no', { field: 'page' }).field).toBe('page');
    expect(new Pkcs11Error('ERR_PKCS11_LOGIN', 'pin').code).toBe('ERR_PKCS11_LOGIN');
  });

  it('every code follows ERR_<AREA>_<REASON> and has English and Chinese text', () => {
    for (const [code, info] of Object.entries(errorCodes)) {
      expect(code).toMatch(/^ERR_[A-Z0-9]+(_[A-Z0-9]+)*$/);
      expect(info.en.length).toBeGreaterThan(5);
      expect(info.zh).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(describeErrorCode('ERR_KEY_DECRYPT', 'zh')).toContain('解密');
    expect(describeErrorCode('ERR_NOPE')).toBeUndefined();
  });
});
