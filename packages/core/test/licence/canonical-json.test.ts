/** RFC 8785 (JCS) canonical JSON: the RFC's examples and Appendix B number vectors, and the strict JSON check. */
import { describe, expect, it } from 'vitest';
import { canonicalJsonBytes, canonicalizeJson } from '@govtrust/core/licence';

/** RFC 8785 Appendix B: IEEE-754 doubles (hex) and their canonical serialisation. */
const numberVectors: [string, string][] = [
  ['0000000000000000', '0'],
  ['8000000000000000', '0'],
  ['0000000000000001', '5e-324'],
  ['8000000000000001', '-5e-324'],
  ['7fefffffffffffff', '1.7976931348623157e+308'],
  ['ffefffffffffffff', '-1.7976931348623157e+308'],
  ['4340000000000000', '9007199254740992'],
  ['c340000000000000', '-9007199254740992'],
  ['4430000000000000', '295147905179352830000'],
  ['44b52d02c7e14af5', '9.999999999999997e+22'],
  ['44b52d02c7e14af6', '1e+23'],
  ['44b52d02c7e14af7', '1.0000000000000001e+23'],
  ['444b1ae4d6e2ef4e', '999999999999999700000'],
  ['444b1ae4d6e2ef4f', '999999999999999900000'],
  ['444b1ae4d6e2ef50', '1e+21'],
  ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
  ['3eb0c6f7a0b5ed8d', '0.000001'],
  ['41b3de4355555553', '333333333.3333332'],
  ['41b3de4355555554', '333333333.33333325'],
  ['41b3de4355555555', '333333333.3333333'],
  ['41b3de4355555556', '333333333.3333334'],
  ['41b3de4355555557', '333333333.33333343'],
  ['becbf647612f3696', '-0.0000033333333333333333'],
  ['43143ff3c1cb0959', '1424953923781206.2'],
];

const fromHex = (hex: string): number => Buffer.from(hex, 'hex').readDoubleBE(0);

describe('RFC 8785 JSON Canonicalization Scheme', () => {
  it('serialises the Appendix B numbers', () => {
    for (const [hex, expected] of numberVectors)
      expect(canonicalizeJson(fromHex(hex)), hex).toBe(expected);
  });

  it('refuses NaN and Infinity (Appendix B: 7fffffffffffffff, 7ff0000000000000)', () => {
    for (const hex of ['7fffffffffffffff', '7ff0000000000000']) {
      expect(() => canonicalizeJson([fromHex(hex)])).toThrow(
        expect.objectContaining({ code: 'ERR_JSON_CANONICAL', path: '$[0]' }),
      );
    }
  });

  it('reproduces the §3.2.4 example', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    ) as unknown;
    expect(canonicalizeJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts properties by UTF-16 code units (§3.2.3 example)', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    const values = Object.values(JSON.parse(canonicalizeJson(input)) as Record<string, string>);
    const order = [...canonicalizeJson(input).matchAll(/"([^"]+)":"/g)].map((m) => m[1]);
    expect(order).toEqual(['\\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33']);
    expect(values).toHaveLength(7);
  });

  it('gives the same bytes for the same data whatever the key order and whitespace', () => {
    const a = { b: [1, { d: '证照', c: true }], a: null };
    const b = JSON.parse(
      '{ "a": null,\n  "b": [1.0, {"c": true, "d": "\\u8bc1\\u7167"}] }',
    ) as unknown;
    expect(Buffer.from(canonicalJsonBytes(a)).toString('utf8')).toBe(
      '{"a":null,"b":[1,{"c":true,"d":"证照"}]}',
    );
    expect(canonicalJsonBytes(b)).toEqual(canonicalJsonBytes(a));
  });

  it('refuses values a verifier could not re-create from JSON', () => {
    const bad: [unknown, string][] = [
      [{ when: new Date(0) }, '$.when'],
      [{ bytes: new Uint8Array(1) }, '$.bytes'],
      [{ f: () => 1 }, '$.f'],
      [[undefined], '$[0]'],
      [{ s: '\ud800' }, '$.s'],
      [{ n: 10n }, '$.n'],
    ];
    for (const [value, path] of bad) {
      expect(() => canonicalizeJson(value)).toThrow(
        expect.objectContaining({ code: 'ERR_JSON_CANONICAL', path }),
      );
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalizeJson(cyclic)).toThrow(
      expect.objectContaining({ code: 'ERR_JSON_CANONICAL' }),
    );
  });
});
