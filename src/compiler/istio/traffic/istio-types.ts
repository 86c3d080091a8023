// The parts of Istio's networking API (networking.istio.io/v1) that the traffic emitters write,
// typed after the CRD schemas so that a misspelt field fails to compile rather than being pruned
// by the API server. Field names and nesting follow Istio's reference, not Envoy's.

/** Exactly one key, or none: Istio reads an empty StringMatch in `headers`/`queryParams` as "present". */
export type IstioStringMatch = { exact: string } | { prefix: string } | { regex: string } | Record<string, never>;

export interface IstioPortSelector {
  number: number;
}

export interface IstioDestination {
  host: string;
  subset?: string;
  port?: IstioPortSelector;
}

export interface IstioHttpRouteDestination {
  destination: IstioDestination;
  weight?: number;
}

export interface IstioHttpMatchRequest {
  uri?: IstioStringMatch;
  method?: IstioStringMatch;
  authority?: IstioStringMatch;
  headers?: Record<string, IstioStringMatch>;
  queryParams?: Record<string, IstioStringMatch>;
  withoutHeaders?: Record<string, IstioStringMatch>;
  sourceLabels?: Record<string, string>;
  sourceNamespace?: string;
  gateways?: string[];
}

export interface IstioHttpRedirect {
  uri?: string;
  authority?: string;
  scheme?: string;
  port?: number;
  redirectCode: number;
}

export interface IstioHttpRewrite {
  uri?: string;
  uriRegexRewrite?: { match: string; rewrite: string };
  authority?: string;
}

export interface IstioHttpRetry {
  attempts: number;
  perTryTimeout?: string;
  retryOn?: string;
}

export interface IstioPercent {
  value: number;
}

export interface IstioHttpFault {
  delay?: { fixedDelay: string; percentage: IstioPercent };
  abort?: { httpStatus: number; percentage: IstioPercent };
}

export interface IstioCorsPolicy {
  allowOrigins: IstioStringMatch[];
  allowMethods?: string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
  maxAge?: string;
  allowCredentials?: boolean;
}

export interface IstioHeaderOperations {
  set?: Record<string, string>;
  add?: Record<string, string>;
  remove?: string[];
}

export interface IstioHeaders {
  request?: IstioHeaderOperations;
  response?: IstioHeaderOperations;
}

export interface IstioHttpRoute {
  name: string;
  match?: IstioHttpMatchRequest[];
  route?: IstioHttpRouteDestination[];
  redirect?: IstioHttpRedirect;
  directResponse?: { status: number; body?: { string: string } };
  rewrite?: IstioHttpRewrite;
  timeout?: string;
  retries?: IstioHttpRetry;
  fault?: IstioHttpFault;
  mirror?: IstioDestination;
  mirrorPercentage?: IstioPercent;
  corsPolicy?: IstioCorsPolicy;
  headers?: IstioHeaders;
}

export interface IstioL4MatchAttributes {
  port?: number;
  sourceLabels?: Record<string, string>;
  sourceNamespace?: string;
  gateways?: string[];
}

export interface IstioRouteDestination {
  destination: IstioDestination;
  weight?: number;
}

export interface IstioTcpRoute {
  match?: IstioL4MatchAttributes[];
  route: IstioRouteDestination[];
}

export interface IstioTlsRoute {
  match: (IstioL4MatchAttributes & { sniHosts: string[] })[];
  route: IstioRouteDestination[];
}

export interface IstioVirtualServiceSpec {
  hosts: string[];
  gateways?: string[];
  http?: IstioHttpRoute[];
  tls?: IstioTlsRoute[];
  tcp?: IstioTcpRoute[];
}

export type IstioTlsMode = 'DISABLE' | 'SIMPLE' | 'MUTUAL' | 'ISTIO_MUTUAL';

export interface IstioClientTls {
  mode: IstioTlsMode;
  sni?: string;
}

export interface IstioConnectionPool {
  tcp?: { maxConnections?: number; connectTimeout?: string };
  http?: {
    http1MaxPendingRequests?: number;
    http2MaxRequests?: number;
    maxRequestsPerConnection?: number;
    maxRetries?: number;
  };
}

export interface IstioConsistentHash {
  httpHeaderName?: string;
  httpCookie?: { name: string; ttl?: string; path?: string };
  useSourceIp?: boolean;
  httpQueryParameterName?: string;
}

export interface IstioLoadBalancer {
  simple?: 'ROUND_ROBIN' | 'LEAST_REQUEST' | 'RANDOM';
  consistentHash?: IstioConsistentHash;
  localityLbSetting?: { enabled: boolean; failover: { from: string; to: string }[] };
}

export interface IstioOutlierDetection {
  consecutive5xxErrors?: number;
  consecutiveGatewayErrors?: number;
  interval?: string;
  baseEjectionTime?: string;
  maxEjectionPercent?: number;
  minHealthPercent?: number;
}

/** The settings a DestinationRule applies to a host, or to one of its ports. */
export interface IstioPolicySettings {
  loadBalancer?: IstioLoadBalancer;
  connectionPool?: IstioConnectionPool;
  outlierDetection?: IstioOutlierDetection;
  tls?: IstioClientTls;
}

export interface IstioPortTrafficPolicy extends IstioPolicySettings {
  port: IstioPortSelector;
}

export interface IstioTrafficPolicy extends IstioPolicySettings {
  portLevelSettings?: IstioPortTrafficPolicy[];
}

export interface IstioSubset {
  name: string;
  labels: Record<string, string>;
}

export interface IstioDestinationRuleSpec {
  host: string;
  trafficPolicy?: IstioTrafficPolicy;
  subsets?: IstioSubset[];
}

export interface IstioServer {
  port: { number: number; name: string; protocol: string };
  hosts: string[];
  tls?: { mode: 'SIMPLE' | 'MUTUAL' | 'PASSTHROUGH'; credentialName?: string };
}

export interface IstioGatewaySpec {
  selector: Record<string, string>;
  servers: IstioServer[];
}
