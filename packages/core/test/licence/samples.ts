/** The sample licence types and licences in samples/ (test helper). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LicenceData } from '@govtrust/core/licence';

export const SAMPLES = join(import.meta.dirname, '..', '..', '..', '..', 'samples');
export const TYPES_DIR = join(SAMPLES, 'licence-types');

/** A sample licence (parsed JSON), as a fresh copy. */
export function sampleLicence(
  name: 'business-licence' | 'food-business-licence' | 'construction-special-operations',
): LicenceData {
  return JSON.parse(readFileSync(join(SAMPLES, 'licences', `${name}.json`), 'utf8')) as LicenceData;
}

/** A sample type record (parsed JSON). */
export function sampleTypeJson(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(TYPES_DIR, `${name}.json`), 'utf8')) as Record<
    string,
    unknown
  >;
}
