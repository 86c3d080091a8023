// Faults on the way to the API server, at a point the test chooses. The proxy terminates TLS with the
// API server's own serving certificate (so a client keeps trusting the run's CA), sees each HTTP
// request, and forwards it as the admin. Counting requests there is deterministic where stopping the
// real server at the right moment is not: "exactly the first N PATCHes reach the server" holds
// whatever meshctl's concurrency.
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { PemCredentials } from './test-cluster.js';

export interface ObservedRequest {
  method: string;
  /** Path and query, as the client sent them. */
  path: string;
  /** The API server's answer; undefined when the proxy did not forward the request. */
  status?: number;
  /** The request body as text ('' when there was none). */
  body: string;
}

export type RequestMatcher = (request: { method: string; path: string }) => boolean;

export interface ApiProxyOptions {
  /** The API server, https://127.0.0.1:PORT. */
  upstream: string;
  certificateAuthority: string;
  /** Presented to clients: the API server's serving certificate, valid for 127.0.0.1. */
  serving: PemCredentials;
  /** The identity the proxy uses upstream, whatever the client presented. */
  upstreamClient: PemCredentials;
}

export interface ApiProxy {
  /** https://127.0.0.1:PORT, for a kubeconfig's server. */
  readonly url: string;
  /** Every request that reached the proxy, in arrival order. */
  readonly requests: readonly ObservedRequest[];
  /**
   * After `count` requests that `matches` have been forwarded, the proxy goes down when the next one
   * arrives: that request and everything after it never reach the API server, and the client sees
   * its connection reset and then refused — as if the API server had stopped. Requests already
   * forwarded get their answers first, so the server's state is exactly "N writes done".
   */
  goDownAfter(count: number, matches: RequestMatcher): void;
  /**
   * When the (count+1)th request that `matches` arrives, the proxy holds it until `action` has
   * finished — stopping the real API server, say — and then forwards it like any other.
   */
  beforeForwarding(count: number, matches: RequestMatcher, action: () => Promise<void>): void;
  /** Requests that `matches` are read and never answered (a server that hangs). */
  hang(matches: RequestMatcher): void;
  /** Whether goDownAfter has taken effect. */
  readonly isDown: boolean;
  close(): Promise<void>;
}

export async function startApiProxy(options: ApiProxyOptions): Promise<ApiProxy> {
  const upstream = new URL(options.upstream);
  const agent = new https.Agent({
    keepAlive: true,
    ca: options.certificateAuthority,
    cert: options.upstreamClient.certificate,
    key: options.upstreamClient.key,
  });
  const requests: ObservedRequest[] = [];
  const sockets = new Set<TLSSocket>();
  // Sockets with a forwarded request whose answer has not been sent completely yet.
  const busy = new Map<TLSSocket, number>();
  const hanging = new Set<http.ServerResponse>();
  let cut: { remaining: number; matches: RequestMatcher } | undefined;
  let hangMatcher: RequestMatcher | undefined;
  let hold: { remaining: number; matches: RequestMatcher; action: () => Promise<void> } | undefined;
  // Once a hold's action has started, every later request waits for it too: none may overtake.
  let held: Promise<void> = Promise.resolve();
  let down = false;

  const server = https.createServer(
    { cert: options.serving.certificate, key: options.serving.key, ALPNProtocols: ['http/1.1'] },
    (request, response) => {
      const socket = request.socket as TLSSocket;
      const seen = { method: request.method ?? 'GET', path: request.url ?? '/' };
      const observed: ObservedRequest = { ...seen, body: '' };
      requests.push(observed);
      if (!down && cut?.matches(seen)) {
        if (cut.remaining === 0) goDown();
        else cut.remaining -= 1;
      }
      if (down) {
        socket.destroy();
        return;
      }
      if (hangMatcher?.(seen)) {
        hanging.add(response);
        request.resume();
        return;
      }
      if (hold?.matches(seen)) {
        if (hold.remaining === 0) {
          held = hold.action();
          hold = undefined;
        } else hold.remaining -= 1;
      }
      busy.set(socket, (busy.get(socket) ?? 0) + 1);
      const finished = () => {
        const left = (busy.get(socket) ?? 1) - 1;
        if (left > 0) busy.set(socket, left);
        else busy.delete(socket);
        if (down) socket.destroy();
      };
      const fail = () => {
        finished();
        socket.destroy();
      };
      const forward = (body: Buffer) => {
        const headers = { ...request.headers, host: upstream.host };
        delete headers.connection;
        const forwarded = https.request(
          { host: upstream.hostname, port: upstream.port, method: seen.method, path: seen.path, headers, agent },
          (answer) => {
            observed.status = answer.statusCode;
            response.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(response);
            answer.on('end', finished);
            answer.on('error', fail);
          },
        );
        forwarded.on('error', fail);
        forwarded.end(body);
      };
      // API requests are small: read the whole body (for `requests`), then wait for a held action
      // (whose errors surface in the test that awaits it, not here), then forward.
      const waitFor = held;
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('error', fail);
      request.on('end', () => {
        const body = Buffer.concat(chunks);
        observed.body = body.toString('utf8');
        waitFor.then(() => forward(body), fail);
      });
    },
  );
  server.on('secureConnection', (socket: TLSSocket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      busy.delete(socket);
    });
    if (down) socket.destroy();
  });
  // A client that gives up mid-handshake is no error of the proxy's.
  server.on('tlsClientError', () => undefined);

  function goDown(): void {
    down = true;
    server.close();
    for (const socket of sockets) if (!busy.has(socket)) socket.destroy();
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;

  return {
    url: `https://127.0.0.1:${port}`,
    requests,
    get isDown() {
      return down;
    },
    goDownAfter(count, matches) {
      cut = { remaining: count, matches };
    },
    hang(matches) {
      hangMatcher = matches;
    },
    beforeForwarding(count, matches, action) {
      hold = { remaining: count, matches, action };
    },
    async close() {
      for (const response of hanging) response.destroy();
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A TCP port that accepts connections and never says anything, not even a TLS handshake. */
export async function startSilentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port nothing listens on (bound once by the kernel's choice, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Whether the API server treats a write as a dry run. For a DELETE with a body, kube-apiserver
 * reads the DeleteOptions from the body and ignores the query (apiserver handlers/delete.go), so
 * `?dryRun=All` alone does not make it one.
 */
export function isDryRun(request: ObservedRequest): boolean {
  if (request.method === 'DELETE' && request.body.trim() !== '') {
    const options = JSON.parse(request.body) as { dryRun?: string[] };
    return options.dryRun?.includes('All') ?? false;
  }
  return new URL(request.path, 'https://api.invalid').searchParams.getAll('dryRun').includes('All');
}

/** Matchers for the requests meshctl makes. */
export const requestsThat = {
  patch: ((request) => request.method === 'PATCH') as RequestMatcher,
  /** PATCHes of objects in `namespace`, the ApplySet parent excluded when it lives elsewhere. */
  patchIn: (namespace: string): RequestMatcher => (request) =>
    request.method === 'PATCH' && request.path.includes(`/namespaces/${namespace}/`),
  all: (() => true) as RequestMatcher,
};
