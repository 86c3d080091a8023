// Envoy configuration is written as plain JSON-like data, with field names as Envoy's v3 protos
// spell them (snake_case), enums by name and durations as "1.5s" — the form `envoy -c` reads from
// YAML. Only the pieces meshctl builds are typed more closely, where a mistake would be easy.
import { UserError } from '../../diagnostics/user-error.js';
export type Json = Record<string, unknown>;

export const HCM_FILTER = 'envoy.filters.network.http_connection_manager';
export const HCM_TYPE = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
export const TCP_PROXY_FILTER = 'envoy.filters.network.tcp_proxy';
export const TCP_PROXY_TYPE = 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy';
export const ROUTER_FILTER = 'envoy.filters.http.router';
export const ROUTER_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';
export const FAULT_FILTER = 'envoy.filters.http.fault';
export const FAULT_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault';
export const CORS_FILTER = 'envoy.filters.http.cors';
export const CORS_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors';
export const CORS_POLICY_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy';
export const RBAC_HTTP_FILTER = 'envoy.filters.http.rbac';
export const RBAC_HTTP_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC';
export const RBAC_NETWORK_FILTER = 'envoy.filters.network.rbac';
export const RBAC_NETWORK_TYPE = 'type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC';
export const JWT_FILTER = 'envoy.filters.http.jwt_authn';
export const JWT_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication';
export const TLS_INSPECTOR = 'envoy.filters.listener.tls_inspector';
export const TLS_INSPECTOR_TYPE = 'type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector';
export const HTTP_PROTOCOL_OPTIONS = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';
export const HTTP_PROTOCOL_OPTIONS_TYPE = 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions';

/** A Duration field from milliseconds: "0.25s". */
export function seconds(milliseconds: number): string {
  return `${Number((Math.round(milliseconds) / 1000).toFixed(3))}s`;
}

/** A FractionalPercent for a percentage that may have decimals (0.5% is 5000 per million). */
export function fractionalPercent(percent: number): Json {
  if (Number.isInteger(percent)) return { numerator: percent, denominator: 'HUNDRED' };
  return { numerator: Math.round(percent * 10_000), denominator: 'MILLION' };
}

export function typedFilter(name: string, type: string, config: Json = {}): Json {
  return { name, typed_config: { '@type': type, ...config } };
}

/** A mesh the Envoy target cannot compile although validation let it through (a rule lowered below error). */
export class EnvoyCompileError extends UserError {}
