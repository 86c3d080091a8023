// The HTTP edge of src/cluster/: requests to the API server with the kubeconfig's credentials, a
// deadline per request, a bound on requests in flight, and every failure turned into one
// ClusterError line that says what went wrong and where.
import http from 'node:http';
import https from 'node:https';
import { ExecAuth } from '@kubernetes/client-node/dist/exec_auth.js';
import { readFileSync } from 'node:fs';
import type { User } from '@kubernetes/client-node/dist/config_types.js';
import { ClusterError } from './errors.js';
import type { ClusterTarget } from './kubeconfig.js';
import { forbiddenReason, parseConflicts, parseFieldErrors, parseStatus, type ApiStatus } from './status.js';

export interface ClientOptions {
  /** Per request, from --request-timeout. */
  timeoutMs?: number;
  /** Requests in flight at once; the API server's priority and fairness copes with far more. */
  concurrency?: number;
}

export interface ApiResponse {
  status: number;
  body: string;
}

export interface RequestOptions {
  query?: Record<string, string | undefined>;
  body?: string;
  contentType?: string;
  /** The object the request is about, for error messages: `VirtualService orders/reviews`. */
  subject?: string;
  /** Status codes the caller handles itself (e.g. 404 on a GET). */
  accept?: readonly number[];
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'unknown host',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  EPIPE: 'connection closed',
  UND_ERR_SOCKET: 'connection closed',
};

const TLS_CODES: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the server's certificate is not signed by a trusted authority",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the server's certificate is not signed by a trusted authority",
  UNABLE_TO_GET_ISSUER_CERT: "the server's certificate is not signed by a trusted authority",
  SELF_SIGNED_CERT_IN_CHAIN: "the server's certificate chain ends in an untrusted self-signed certificate",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the server's certificate is self-signed and not trusted",
  CERT_HAS_EXPIRED: "the server's certificate has expired",
  CERT_NOT_YET_VALID: "the server's certificate is not yet valid",
  ERR_TLS_CERT_ALTNAME_INVALID: "the server's certificate does not name this host",
  EPROTO: 'the TLS handshake failed',
};

function describeHttpFailure(status: number): string {
  return http.STATUS_CODES[status] ? `${status} ${http.STATUS_CODES[status]}` : String(status);
}

/**
 * The server URL as messages print it: a user and password written into the URL (`https://user:pass@host`)
 * become `xxxxx`, as kubectl prints them, so that a credential never reaches a terminal or a CI log.
 */
export function redactServerUrl(server: string): string {
  try {
    const url = new URL(server);
    if (url.username === '' && url.password === '') return server;
    url.username = 'xxxxx';
    if (url.password !== '') url.password = 'xxxxx';
    return url.href.replace(/\/$/, server.endsWith('/') ? '/' : '');
  } catch {
    // Not a URL the client could use either: hide anything between "//" and the last "@" before the path.
    return server.replace(/^([^/]*\/\/)[^/]*@/, '$1xxxxx@');
  }
}

export class KubeClient {
  /** The URL requests go to; messages print `displayServer`. */
  readonly server: string;
  /** The server URL without credentials, for messages. */
  readonly displayServer: string;
  readonly context: string;
  readonly timeoutMs: number;
  private readonly target: ClusterTarget;
  private readonly concurrency: number;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private prepared?: Promise<{ agent: http.Agent; headers: http.OutgoingHttpHeaders; auth?: string }>;
  /** Every request made, by method: tests and measurements read it. */
  readonly requestCounts: Record<string, number> = {};

  constructor(target: ClusterTarget, options: ClientOptions = {}) {
    this.target = target;
    this.server = target.server;
    this.displayServer = redactServerUrl(target.server);
    this.context = target.context;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.concurrency = options.concurrency ?? 12;
  }

  private prepare(): Promise<{ agent: http.Agent; headers: http.OutgoingHttpHeaders; auth?: string }> {
    this.prepared ??= (async () => {
      const { cluster, user } = this.target;
      const credentials = await userCredentials(this.context, user);
      const secure = this.server.startsWith('https:');
      const agentOptions: https.AgentOptions = {
        keepAlive: true,
        maxSockets: this.concurrency,
        ca: readPem(cluster.caFile, cluster.caData, `certificate-authority of cluster "${cluster.name}"`),
        cert: credentials.cert,
        key: credentials.key,
        servername: cluster.tlsServerName || undefined,
      };
      if (cluster.skipTLSVerify) agentOptions.rejectUnauthorized = false;
      const agent = secure ? new https.Agent(agentOptions) : new http.Agent({ keepAlive: true, maxSockets: this.concurrency });
      return { agent, headers: credentials.headers, auth: credentials.auth };
    })();
    return this.prepared;
  }

  private async acquire(): Promise<void> {
    if (this.inFlight < this.concurrency) {
      this.inFlight++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight--;
  }

  /** Closes idle keep-alive connections so that the process can exit. */
  close(): void {
    void this.prepared?.then(({ agent }) => agent.destroy(), () => undefined);
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    const { agent, headers, auth } = await this.prepare();
    await this.acquire();
    try {
      this.requestCounts[method] = (this.requestCounts[method] ?? 0) + 1;
      const response = await this.send(method, path, options, agent, headers, auth);
      if (response.status >= 400 && !options.accept?.includes(response.status)) throw this.httpError(method, response, options.subject);
      return response;
    } finally {
      this.release();
    }
  }

  private send(
    method: string,
    path: string,
    options: RequestOptions,
    agent: http.Agent,
    baseHeaders: http.OutgoingHttpHeaders,
    auth: string | undefined,
  ): Promise<ApiResponse> {
    const url = new URL(this.server + path);
    for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(key, value);
    const headers: http.OutgoingHttpHeaders = { ...baseHeaders, Accept: 'application/json', 'User-Agent': 'meshctl' };
    if (options.body !== undefined) {
      headers['Content-Type'] = options.contentType ?? 'application/json';
      headers['Content-Length'] = Buffer.byteLength(options.body);
    }
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const request = transport.request(url, { method, agent, headers, auth }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => finish(() => reject(this.networkError(error))));
        response.on('end', () =>
          finish(() => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') })),
        );
      });
      const timer = setTimeout(() => {
        finish(() => reject(this.timeoutError()));
        request.destroy();
      }, this.timeoutMs);
      request.on('error', (error) => finish(() => reject(this.networkError(error))));
      request.end(options.body);
    });
  }

  private timeoutError(): ClusterError {
    return new ClusterError(`no answer from the API server at ${this.displayServer} within ${formatMs(this.timeoutMs)} (--request-timeout)`, 'timeout');
  }

  private networkError(error: NodeJS.ErrnoException): ClusterError {
    const code = error.code ?? '';
    if (TLS_CODES[code] || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || /certificate|SSL|TLS/i.test(error.message)) {
      const reason = TLS_CODES[code] ?? error.message.split('\n')[0];
      return new ClusterError(`TLS error talking to ${this.displayServer}: ${reason}${code ? ` (${code})` : ''}`, 'tls');
    }
    const reason = NETWORK_CODES[code] ?? error.message.split('\n')[0];
    return new ClusterError(`cannot reach the API server at ${this.displayServer}: ${reason}${code ? ` (${code})` : ''}`, 'unreachable');
  }

  private httpError(method: string, response: ApiResponse, subject: string | undefined): ClusterError {
    const status = parseStatus(response.body);
    const about = subject ? `${subject}: ` : '';
    const message = status?.message ?? (response.body.trim().split('\n')[0] || describeHttpFailure(response.status));
    switch (response.status) {
      case 401:
        return new ClusterError(
          `the API server at ${this.displayServer} rejected the credentials of context "${this.context}" (401 Unauthorized)`,
          'unauthorized',
        );
      case 403:
        return new ClusterError(`forbidden: ${forbiddenReason(status, message)}`, 'forbidden');
      case 404:
        return new ClusterError(`${about}not found: ${message} (${method} ${response.status})`, 'not-found');
      case 409: {
        const conflicts = status ? parseConflicts(status) : [];
        if (conflicts.length > 0) {
          return new ClusterError(conflictLine(subject, conflicts), 'conflict', { conflicts });
        }
        return new ClusterError(`conflict: ${about}${message}`, 'conflict');
      }
      case 400:
      case 422: {
        const details = status ? parseFieldErrors(status) : [];
        const text = details.length > 0 ? `${about}the API server refused it:` : `${about}${message}`;
        return new ClusterError(`invalid: ${text}`, 'invalid', { details });
      }
      case 504:
        return this.timeoutError();
      default:
        return new ClusterError(`${about}the API server answered ${describeHttpFailure(response.status)}: ${message}`, 'api');
    }
  }
}

function conflictLine(subject: string | undefined, conflicts: readonly { field: string; manager: string }[]): string {
  return conflicts
    .map((c) => `conflict: ${subject ? `${subject}: ` : ''}${c.field} is owned by "${c.manager}" (--force-conflicts takes it over)`)
    .join('\n');
}

export function formatMs(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

export type { ApiStatus };

/** A `*-data` field (base64) or a file, as kubeconfig allows either. */
function readPem(file: string | undefined | null, data: string | undefined | null, what: string): Buffer | undefined {
  try {
    if (file) return readFileSync(file);
  } catch (error) {
    throw new ClusterError(`cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return data ? Buffer.from(data, 'base64') : undefined;
}

interface Credentials {
  cert?: Buffer | string;
  key?: Buffer | string;
  headers: http.OutgoingHttpHeaders;
  auth?: string;
}

/** Client certificate, bearer token, basic auth or an exec plugin, as the kubeconfig user says. */
async function userCredentials(context: string, user: User | undefined): Promise<Credentials> {
  const credentials: Credentials = { headers: {} };
  if (!user) return credentials;
  credentials.cert = readPem(user.certFile, user.certData, `client-certificate of user "${user.name}"`);
  credentials.key = readPem(user.keyFile, user.keyData, `client-key of user "${user.name}"`);
  if (user.token) credentials.headers.Authorization = `Bearer ${user.token.trim()}`;
  else if (user.username) credentials.auth = `${user.username}:${user.password ?? ''}`;
  if (user.impersonateUser) credentials.headers['Impersonate-User'] = user.impersonateUser;
  const exec = new ExecAuth();
  if (exec.isAuthProvider(user)) {
    const options: { headers: Record<string, string>; cert?: string; key?: string } = { headers: {} };
    try {
      await exec.applyAuthentication(user, options as never);
    } catch (error) {
      throw new ClusterError(`the exec credential plugin of context "${context}" failed: ${(error as Error).message.split('\n')[0]}`, 'unauthorized');
    }
    Object.assign(credentials.headers, options.headers);
    if (options.cert) credentials.cert = options.cert;
    if (options.key) credentials.key = options.key;
  } else if (user.authProvider) {
    const name = (user.authProvider as { name?: string }).name ?? 'unknown';
    throw new ClusterError(`the "${name}" auth-provider of context "${context}" is not supported; use an exec credential plugin`, 'config');
  }
  return credentials;
}
