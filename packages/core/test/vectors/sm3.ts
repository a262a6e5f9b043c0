/** SM3 known-answer vectors. */
export const sm3Vectors = [
  {
    title: 'GB/T 32905-2016 Annex A.1: SM3("abc")',
    source: 'GB/T 32905-2016 Annex A, example 1 (shared/reference/gbt38540-seals.md section 5.3)',
    input: 'abc',
    expected: '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0',
  },
  {
    title: 'GB/T 32905-2016 Annex A.2: SM3("abcd" x 16)',
    source: 'GB/T 32905-2016 Annex A, example 2 (shared/reference/gbt38540-seals.md section 5.3)',
    input: 'abcd'.repeat(16),
    expected: 'debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732',
  },
] as const;
