// Small HTTP servers that stand in for the applications behind the Envoys in the traffic tests.
// Each answers with JSON saying who it is — {name, version, path, method, headers} — so a test can
// tell which upstream a request reached, and can be told to misbehave: fail the first attempts of
// each request, answer slowly, or always fail.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface UpstreamBehaviour {
  /**
   * Answer 503 to the first N attempts of each request. Attempts are told apart by Envoy's
   * x-request-id, which a retry keeps; requests without one share a single counter.
   */
  readonly failFirstAttempts?: number;
  /** Wait this long before answering. */
  readonly delayMs?: number;
  /** Answer every request with this status (and the usual JSON body). */
  readonly alwaysStatus?: number;
}

export interface UpstreamReply {
  readonly name: string;
  readonly version: string;
  readonly path: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface Upstream {
  readonly name: string;
  readonly version: string;
  readonly port: number;
  readonly url: string;
  /** Requests received so far (every attempt counts). */
  readonly requestCount: number;
  /** The requests received so far, oldest first. */
  readonly received: readonly UpstreamReply[];
  /** Changes how later requests are answered. */
  setBehaviour(behaviour: UpstreamBehaviour): void;
  /** Forgets the requests received so far. */
  reset(): void;
  close(): Promise<void>;
}

const open = new Set<Upstream>();

/** Starts an upstream on a free loopback port chosen by the OS (no race: it is bound at once). */
export async function startUpstream(name: string, version: string, behaviour: UpstreamBehaviour = {}): Promise<Upstream> {
  let current = behaviour;
  const received: UpstreamReply[] = [];
  const attemptsByRequestId = new Map<string, number>();
  const server = http.createServer((request, response) => {
    const reply: UpstreamReply = { name, version, path: request.url ?? '', method: request.method ?? '', headers: request.headers };
    received.push(reply);
    const requestId = typeof request.headers['x-request-id'] === 'string' ? request.headers['x-request-id'] : '';
    const attempt = (attemptsByRequestId.get(requestId) ?? 0) + 1;
    attemptsByRequestId.set(requestId, attempt);
    const status = current.alwaysStatus ?? (attempt <= (current.failFirstAttempts ?? 0) ? 503 : 200);
    const answer = () => {
      if (response.destroyed) return;
      const body = JSON.stringify(reply);
      response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-upstream': `${name}-${version}` });
      response.end(body);
    };
    // Drain the request body first, so a POST is answered the same way as a GET.
    request.resume();
    request.on('end', () => {
      if (current.delayMs) {
        const timer = setTimeout(answer, current.delayMs);
        response.on('close', () => clearTimeout(timer));
      } else {
        answer();
      }
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const upstream: Upstream = {
    name,
    version,
    port,
    url: `http://127.0.0.1:${port}`,
    get requestCount() {
      return received.length;
    },
    received,
    setBehaviour(next) {
      current = next;
    },
    reset() {
      received.length = 0;
      attemptsByRequestId.clear();
    },
    close: async () => {
      open.delete(upstream);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  open.add(upstream);
  return upstream;
}

/** Closes every upstream this process started and has not closed yet. */
export async function closeAllUpstreams(): Promise<void> {
  await Promise.all([...open].map((upstream) => upstream.close()));
}
