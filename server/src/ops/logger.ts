/** Structured logs (pino) that never carry secrets, signatures or document contents. @module */
import { pino, type Logger, type DestinationStream, type LevelWithSilent } from 'pino';

/**
 * Paths pino replaces with "[redacted]" wherever a caller logs them: request signing headers,
 * secrets, keys, passwords and any document or signature bytes.
 */
export const redactPaths: readonly string[] = [
  'secret',
  '*.secret',
  'secrets',
  '*.secrets',
  'password',
  '*.password',
  'pin',
  '*.pin',
  'privateKey',
  '*.privateKey',
  'masterKey',
  '*.masterKey',
  'signature',
  '*.signature',
  'headers["x-signature"]',
  'headers.authorization',
  'headers.cookie',
  'req.headers["x-signature"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'body',
  '*.body',
  'pdf',
  '*.pdf',
  'document',
  '*.document',
];

/** Creates the server logger; `destination` lets tests capture the lines. */
export function createLogger(options: {
  readonly level?: LevelWithSilent;
  readonly destination?: DestinationStream;
}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'govtrust-server' },
      redact: { paths: [...redactPaths], censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}

export type { Logger };
