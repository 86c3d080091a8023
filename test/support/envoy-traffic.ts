// Requests for the traffic tests: one at a time, or many with bounded concurrency over kept-alive
// connections, and a tally of which upstream answered them.
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export interface TlsClientOptions {
  /** PEM file of the CA that signed the server's certificate. */
  readonly caPath: string;
  /** A client certificate and key; omit both for a client without a certificate. */
  readonly certPath?: string;
  readonly keyPath?: string;
  /** SNI to send; default none. */
  readonly servername?: string;
}

export interface RequestOptions {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** For an https URL. */
  readonly tls?: TlsClientOptions;
  /** Give up after this long (the request then rejects); default 10 s. */
  readonly timeoutMs?: number;
  readonly agent?: http.Agent;
}

export interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is not JSON (an Envoy-made reply). */
  readonly json: { name?: string; version?: string; path?: string; headers?: Record<string, string> } | undefined;
  /** "<name>-<version>" of the upstream app that answered, or undefined when none did. */
  readonly upstream: string | undefined;
  readonly elapsedMs: number;
}

/** One request to `url` (http or https); resolves with any status, rejects on a connection error. */
export function request(url: string, options: RequestOptions = {}): Promise<Reply> {
  const target = new URL(options.path ?? '', url);
  const secure = target.protocol === 'https:';
  const tls = options.tls;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const requestOptions: https.RequestOptions = {
      method: options.method ?? 'GET',
      headers: { ...options.headers, ...(options.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(options.body)) }) },
      timeout: options.timeoutMs ?? 10_000,
      ...(options.agent ? { agent: options.agent } : {}),
      ...(secure && tls
        ? {
            ca: readFileSync(tls.caPath),
            ...(tls.certPath ? { cert: readFileSync(tls.certPath) } : {}),
            ...(tls.keyPath ? { key: readFileSync(tls.keyPath) } : {}),
            ...(tls.servername ? { servername: tls.servername } : {}),
            // Mesh certificates name a SPIFFE identity, not a host: the chain is checked, the name
            // is the server's SAN and not the address dialled.
            checkServerIdentity: () => undefined,
          }
        : {}),
    };
    const outgoing = (secure ? https : http).request(target, requestOptions, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Reply['json'];
        try {
          json = JSON.parse(text) as Reply['json'];
        } catch {
          json = undefined;
        }
        const upstream = json?.name !== undefined ? `${json.name}-${json.version}` : undefined;
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json, upstream, elapsedMs: performance.now() - started });
      });
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer from ${target.href} within ${options.timeoutMs ?? 10_000} ms`)));
    // Name the request in the error: a socket error alone does not say which of a test's requests failed.
    outgoing.on('error', (error) => reject(new Error(`${requestOptions.method} ${target.href}: ${error.message}`, { cause: error })));
    outgoing.end(options.body);
  });
}

export interface BatchOptions extends Omit<RequestOptions, 'agent'> {
  readonly count: number;
  /** Requests in flight at once; default 10. */
  readonly concurrency?: number;
  /** Headers per request number (merged over `headers`), e.g. to give half of them a cohort. */
  readonly headersFor?: (index: number) => Readonly<Record<string, string>>;
}

/** `count` requests with at most `concurrency` in flight, over kept-alive connections. Replies in request order. */
export async function sendRequests(url: string, options: BatchOptions): Promise<Reply[]> {
  const concurrency = options.concurrency ?? 10;
  const secure = new URL(url).protocol === 'https:';
  const agent = secure ? new https.Agent({ keepAlive: true, maxSockets: concurrency }) : new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const replies: Reply[] = new Array(options.count);
  let next = 0;
  const worker = async () => {
    while (next < options.count) {
      const index = next++;
      const headers = { ...options.headers, ...options.headersFor?.(index) };
      replies[index] = await request(url, { ...options, headers, agent });
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, options.count) }, worker));
  } finally {
    agent.destroy();
  }
  return replies;
}

/** How many replies fall under each key, e.g. tally(replies, (r) => r.upstream). */
export function tally<T>(items: readonly T[], key: (item: T) => string | number | undefined): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const name = String(key(item));
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

/** Polls `probe` until it returns a defined value or `timeoutMs` passes (then throws `what`). */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
