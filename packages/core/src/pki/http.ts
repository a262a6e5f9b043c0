/** Small HTTP helpers for PKI clients (RFC 3161 3.4, RFC 6960 appendix A): bounded reads, timeouts, coded errors. @module */
import { GovTrustError, PkiFetchError } from '../errors/index.js';

/** POSTs DER and reads a bounded binary reply; failures become ERR_PKI_FETCH. */
export async function postBinary(
  doFetch: typeof fetch,
  url: string,
  body: Uint8Array,
  contentType: string,
  timeoutMs: number,
  maxBytes: number,
  headers?: Readonly<Record<string, string>>,
): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await doFetch(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': contentType },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const timedOut =
      err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    throw new PkiFetchError(
      url,
      timedOut ? `${url} did not answer within ${timeoutMs} ms` : `Cannot reach ${url}`,
      { cause: err },
    );
  }
  return readBounded(res, url, maxBytes);
}

/** Reads a response body up to `maxBytes`; HTTP errors become ERR_PKI_FETCH. */
export async function readBounded(
  res: Response,
  url: string,
  maxBytes: number,
): Promise<Uint8Array> {
  if (!res.ok) {
    await res.body?.cancel();
    throw new PkiFetchError(url, `${url} answered HTTP ${res.status}`, { httpStatus: res.status });
  }
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw new PkiFetchError(url, `${url} sent ${declared} bytes; the limit is ${maxBytes}`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (res.body === null) return new Uint8Array(0);
  try {
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      total += chunk.length;
      if (total > maxBytes) throw new PkiFetchError(url, `${url} sent more than ${maxBytes} bytes`);
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof GovTrustError) throw err;
    throw new PkiFetchError(url, `Reading the reply of ${url} failed`, { cause: err });
  }
  return new Uint8Array(Buffer.concat(chunks));
}
