// The small languages inside access rules: CIDR blocks, SPIFFE principals, request paths and
// methods. Parsed here once so that the rules and the AuthorizationPolicy emitter agree on what
// a value means.
import { isIPv4, isIPv6 } from 'node:net';

export interface IpBlock {
  readonly family: 4 | 6;
  readonly prefixLength: number;
  /** True when the address has bits set beyond the prefix, e.g. 10.1.2.3/24. */
  readonly hostBitsSet: boolean;
  /** The block with host bits cleared, in canonical form: 10.1.2.0/24, 2001:db8::/32. */
  readonly network: string;
}

/** A CIDR block or a bare address (a /32 or /128), or undefined when it is neither. */
export function parseIpBlock(text: string): IpBlock | undefined {
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const prefixText = slash === -1 ? undefined : text.slice(slash + 1);
  const family = isStrictIPv4(address) ? 4 : isIPv6(address) && !address.includes('%') ? 6 : undefined;
  if (family === undefined) return undefined;
  const bits = family === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) return undefined;
  const prefixLength = prefixText === undefined ? bits : Number(prefixText);
  if (prefixLength > bits) return undefined;
  const value = family === 4 ? ipv4ToBigInt(address) : ipv6ToBigInt(address);
  const hostMask = (1n << BigInt(bits - prefixLength)) - 1n;
  const networkValue = value & ~hostMask;
  const networkAddress = family === 4 ? bigIntToIPv4(networkValue) : bigIntToIPv6(networkValue);
  return { family, prefixLength, hostBitsSet: (value & hostMask) !== 0n, network: `${networkAddress}/${prefixLength}` };
}

/** Dotted quads without leading zeros, which some parsers read as octal. */
function isStrictIPv4(text: string): boolean {
  return isIPv4(text) && text.split('.').every((part) => part === '0' || !part.startsWith('0'));
}

function ipv4ToBigInt(text: string): bigint {
  return text.split('.').reduce((value, part) => (value << 8n) | BigInt(Number(part)), 0n);
}

function bigIntToIPv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

function ipv6ToBigInt(text: string): bigint {
  let body = text;
  const groups: number[] = [];
  // A trailing dotted quad (::ffff:10.0.0.1) stands for the last two groups.
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(body);
  let tail: number[] = [];
  if (quad) {
    const v4 = Number(ipv4ToBigInt(quad[1]!));
    tail = [v4 >>> 16, v4 & 0xffff];
    body = body.slice(0, -quad[1]!.length);
    if (body.endsWith(':') && !body.endsWith('::')) body = body.slice(0, -1);
  }
  const [head, rest] = body.includes('::') ? body.split('::') : [body, undefined];
  const parse = (part: string | undefined) => (part ? part.split(':').filter((g) => g !== '').map((g) => parseInt(g, 16)) : []);
  const headGroups = parse(head);
  const restGroups = [...parse(rest), ...tail];
  if (rest === undefined) groups.push(...headGroups, ...restGroups);
  else groups.push(...headGroups, ...Array<number>(8 - headGroups.length - restGroups.length).fill(0), ...restGroups);
  return groups.reduce((value, group) => (value << 16n) | BigInt(group), 0n);
}

/** RFC 5952 text: lower-case hex, the longest run of two or more zero groups as "::". */
function bigIntToIPv6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

export type Principal =
  | { readonly kind: 'any' }
  | { readonly kind: 'wildcard'; readonly trustDomain?: string; readonly namespace?: string }
  | { readonly kind: 'exact'; readonly trustDomain: string; readonly namespace: string; readonly serviceAccount: string };

export type PrincipalProblem = 'wildcard' | 'scheme' | 'shape';

/** SPIFFE trust domains: lower-case letters, digits, dots, dashes and underscores. */
const TRUST_DOMAIN = /^[a-z0-9._-]+$/;
const SPIFFE = /^spiffe:\/\/([a-z0-9._-]+)\/ns\/([^/*]+)\/sa\/([^/*]+)$/;
const WITHOUT_SCHEME = /^([^/*:]+)\/ns\/([^/*]+)\/sa\/([^/*]+)$/;

/**
 * A principal: "*" (any caller with a mesh identity), `spiffe://<trust-domain>/ns/<ns>/sa/<sa>`,
 * or one of those with a single "*" as a whole prefix or suffix wildcard.
 */
export function parsePrincipal(text: string): { principal: Principal } | { problem: PrincipalProblem } {
  if (text === '*') return { principal: { kind: 'any' } };
  const stars = text.split('*').length - 1;
  if (stars > 1 || (stars === 1 && !text.startsWith('*') && !text.endsWith('*'))) return { problem: 'wildcard' };
  if (text.startsWith('*')) return { principal: { kind: 'wildcard' } };
  if (!text.startsWith('spiffe://')) return { problem: WITHOUT_SCHEME.test(text) || text.endsWith('*') ? 'scheme' : 'shape' };
  if (text.endsWith('*')) return parsePrefixWildcard(text.slice(0, -1));
  const exact = SPIFFE.exec(text);
  if (!exact) return { problem: 'shape' };
  return { principal: { kind: 'exact', trustDomain: exact[1]!, namespace: exact[2]!, serviceAccount: exact[3]! } };
}

/**
 * "spiffe://<td>/ns/<ns>/sa/<sa-prefix>*" and its shorter whole-segment forms: what precedes the
 * wildcard must be a prefix of the SPIFFE shape, or the pattern could never match an identity.
 */
function parsePrefixWildcard(prefix: string): { principal: Principal } | { problem: PrincipalProblem } {
  const rest = prefix.slice('spiffe://'.length);
  const slash = rest.indexOf('/');
  if (slash === -1) return rest === '' || TRUST_DOMAIN.test(rest) ? { principal: { kind: 'wildcard' } } : { problem: 'shape' };
  const trustDomain = rest.slice(0, slash);
  const path = rest.slice(slash);
  if (!TRUST_DOMAIN.test(trustDomain) || !/^\/(?:ns(?:\/(?:[^/]+(?:\/(?:sa(?:\/[^/]*)?)?)?)?)?)?$/.test(path)) return { problem: 'shape' };
  const namespace = /^\/ns\/([^/]+)\//.exec(path)?.[1];
  return { principal: { kind: 'wildcard', trustDomain, ...(namespace ? { namespace } : {}) } };
}

/** The principal with "spiffe://" in front, for the hint when the scheme is missing. */
export function withSpiffeScheme(text: string): string {
  return `spiffe://${text}`;
}

export type PathProblem = 'relative' | 'wildcard' | 'query';

/**
 * A path of an access rule: "/exact", "/prefix/*", "*\/suffix" or "*". Istio compares it with
 * the request path without its query string, so "?" can never match.
 */
export function pathProblem(path: string): PathProblem | undefined {
  if (path === '*') return undefined;
  const stars = path.split('*').length - 1;
  if (stars > 1 || (stars === 1 && !path.startsWith('*') && !path.endsWith('*'))) return 'wildcard';
  if (path.includes('?') || path.includes('#')) return 'query';
  if (!path.startsWith('/') && !path.startsWith('*')) return 'relative';
  return undefined;
}

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'] as const;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export type MethodProblem = 'case' | 'token';

/** HTTP methods are case-sensitive tokens; requests carry them in upper case. */
export function methodProblem(method: string): MethodProblem | undefined {
  if (!TOKEN.test(method)) return 'token';
  if (method !== method.toUpperCase()) return 'case';
  return undefined;
}
