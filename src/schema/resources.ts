// The kinds a mesh file may hold. Few kinds, one place per service: everything a reviewer must
// judge about a service is in its own Service document.
import { z } from 'zod';
import { HttpUrl, LIMITS, ObjectName, PortName } from './limits.js';
import { Annotations, Labels, MtlsMode, Name, Port, Protocol, ServiceAccountName, ServiceRef } from './primitives.js';
import { Access, Authentication, MtlsSetting, RateLimit, Resilience, Telemetry } from './policy.js';
import { AbTest, CanaryRelease, Route } from './traffic.js';

export const API_VERSION = 'meshctl.dev/v1alpha1';

const ApiVersion = z.literal(API_VERSION);

const Metadata = z.strictObject({
  name: Name,
  namespace: Name.optional().meta({ description: 'Default: "default".' }),
  labels: Labels.optional(),
  annotations: Annotations.optional(),
});

const ClusterMetadata = z.strictObject({
  name: Name,
  labels: Labels.optional(),
  annotations: Annotations.optional(),
});

export const ServicePort = z.strictObject({
  name: PortName.optional().meta({ description: 'Default: the protocol followed by the port, e.g. http-9080.' }),
  port: Port,
  targetPort: Port.optional().meta({ description: 'The port the workload listens on; default: port.' }),
  protocol: Protocol,
});

/** PEM files of a proxy's mesh identity (the Envoy target); each field overrides one default. */
export const ProxyCertificates = z.strictObject({
  certChain: z.string().optional().meta({ description: 'The workload\'s certificate chain, with its SPIFFE ID as URI SAN; default: /etc/meshctl/certs/cert-chain.pem.' }),
  privateKey: z.string().optional().meta({ description: 'Its private key; default: /etc/meshctl/certs/key.pem.' }),
  trustedCa: z.string().optional().meta({ description: 'The mesh\'s root certificate(s), which peers\' certificates must chain to; default: /etc/meshctl/certs/root-cert.pem.' }),
});

/** Where a sidecar listens, for the Envoy target (plain Envoy: no traffic capture, no discovery). */
export const SidecarProxy = z.strictObject({
  inboundPorts: z
    .record(z.string(), Port)
    .optional()
    .meta({ description: 'The port the sidecar accepts inbound connections on, per service port name ("<protocol>-<port>" when unnamed); default: the service port.' }),
  outboundPort: Port.optional().meta({ description: 'The sidecar\'s HTTP outbound listener on 127.0.0.1; default: the Mesh\'s envoy.outboundPort.' }),
  adminPort: Port.optional().meta({ description: 'The admin interface on 127.0.0.1; default: the Mesh\'s envoy.adminPort.' }),
  certificates: ProxyCertificates.optional(),
});

/** An instance of a service, as callers' proxies reach it (the Envoy target). */
export const WorkloadEndpoint = z.strictObject({
  address: z.string().max(LIMITS.workloadAddress.max).meta({ description: 'IP address (a STATIC cluster) or DNS name (STRICT_DNS).' }),
  ports: z
    .record(z.string(), Port)
    .optional()
    .meta({ description: 'The port to connect to, per service port name; default: the inbound port of the instance\'s sidecar.' }),
});

export const Version = z.strictObject({
  labels: Labels.meta({ description: 'Pod (or VM) labels that select this version\'s workloads.' }),
  endpoints: z
    .array(WorkloadEndpoint)
    .min(1)
    .optional()
    .meta({ description: 'Where this version\'s instances are (Envoy target); default: the service\'s endpoints, else its selected VMs, else <service>-<version>.<namespace>.svc.<clusterDomain>.' }),
  envoy: SidecarProxy.optional().meta({ description: 'This version\'s sidecar (Envoy target); overrides the service\'s envoy settings field by field.' }),
});

export const VirtualMachine = z.strictObject({
  address: z.string().min(1).max(LIMITS.workloadAddress.max).meta({ description: 'IP address or DNS name of the VM.' }),
  labels: Labels.optional().meta({ description: 'Labels, so versions can select VMs as they select pods.' }),
  serviceAccount: ServiceAccountName.optional().meta({ description: 'The identity the VM\'s proxy presents; default: the service\'s serviceAccount.' }),
  network: z.string().max(LIMITS.workloadNetwork.max).optional(),
  locality: z.string().max(LIMITS.workloadNetwork.max).optional().meta({ description: 'region/zone/subzone.' }),
});

export const ExposedPathMatch = z
  .strictObject({
    exact: z.string().optional().meta({ description: 'This path only, e.g. /productpage.' }),
    prefix: z.string().optional().meta({ description: 'Every path that starts with this string.' }),
  })
  .meta({ description: 'Exactly one of exact, prefix.' });

export const Exposure = z.strictObject({
  gateway: z.string().meta({ description: 'A Gateway declared in the mesh: "name" or "namespace/name".' }),
  hosts: z.array(z.string()).min(1),
  paths: z
    .array(z.union([z.string(), ExposedPathMatch]))
    .optional()
    .meta({ description: 'The paths sent to this service: a string is a prefix (a plain string prefix, as Istio and Envoy match them: /cart also takes /cartoon), {exact: /login} one path; default: /.' }),
});

export const ServiceSpec = z.strictObject({
  selector: Labels.refine((labels) => Object.keys(labels).length > 0, 'must name at least one label: an empty selector selects every workload of the namespace')
    .optional()
    .meta({ description: 'Labels that every workload of this service carries, pods and VMs alike; default: app: <name>. Policies select the service\'s workloads by them.' }),
  serviceAccount: ServiceAccountName.optional().meta({
    description:
      'The Kubernetes service account the service\'s pods run as: their mesh identity, spiffe://<trustDomain>/ns/<namespace>/sa/<serviceAccount>, which access rules naming the service admit; default: the service\'s name.',
  }),
  ports: z.array(ServicePort).min(1),
  versions: z.record(z.string(), Version).optional().meta({ description: 'Named versions (subsets), each selected by labels.' }),
  vms: z.array(VirtualMachine).optional().meta({ description: 'Workloads on virtual machines, registered into the mesh.' }),
  routes: z.array(Route).optional().meta({ description: 'Evaluated in order; the first match wins.' }),
  canary: CanaryRelease.optional(),
  abTest: AbTest.optional(),
  resilience: Resilience.optional(),
  rateLimit: RateLimit.optional(),
  access: Access.optional(),
  authentication: Authentication.optional(),
  mtls: MtlsSetting.optional().meta({ description: 'Default: the namespace\'s, then the mesh\'s.' }),
  telemetry: Telemetry.optional(),
  dependsOn: z.array(ServiceRef).optional().meta({ description: 'Services and external services this one calls, beyond those its routes name: scopes its proxy configuration.' }),
  expose: z.array(Exposure).optional().meta({ description: 'Ingress gateways that serve this service to the outside.' }),
  endpoints: z
    .array(WorkloadEndpoint)
    .min(1)
    .optional()
    .meta({ description: 'Where the service\'s instances are (Envoy target), for versions that list none; default: its VMs, else <service>.<namespace>.svc.<clusterDomain>.' }),
  envoy: SidecarProxy.optional().meta({ description: 'The sidecars of this service\'s workloads (Envoy target).' }),
});

// A mesh Service stands for a Kubernetes Service of the same name (its host is
// <name>.<namespace>.svc), and Kubernetes names Services by RFC 1035 labels: a letter first.
const ServiceMetadata = Metadata.extend({
  name: z
    .string()
    .regex(/^[a-z]([-a-z0-9]*[a-z0-9])?$/, 'must be a Kubernetes Service name (RFC 1035 label): lowercase letters, digits and "-", starting with a letter and ending with a letter or digit')
    .max(LIMITS.dnsLabel.max, `must be at most ${LIMITS.dnsLabel.max} characters`)
    .meta({ description: 'An RFC 1035 label, as Kubernetes names Services: lowercase letters, digits and "-", a letter first.' }),
});

export const ServiceResource = z.strictObject({
  apiVersion: ApiVersion,
  kind: z.literal('Service'),
  metadata: ServiceMetadata,
  spec: ServiceSpec,
});

export const ExternalServiceSpec = z.strictObject({
  hosts: z
    .array(
      z
        .string()
        .min(1)
        .max(LIMITS.host.max)
        .refine((host) => host !== '*', 'must name a host: "*" would send every unknown host to this service'),
    )
    .min(1),
  ports: z.array(ServicePort).min(1),
  resolution: z.enum(['dns', 'static', 'none']).default('dns').meta({ description: 'dns: resolve the hosts; static: use endpoints; none: pass through.' }),
  endpoints: z
    .array(
      z.strictObject({
        address: z.string().min(1).max(LIMITS.workloadAddress.max),
        ports: z.record(z.string(), Port).optional(),
        labels: Labels.optional(),
        locality: z.string().max(LIMITS.workloadNetwork.max).optional(),
      }),
    )
    .optional()
    .meta({ description: 'Addresses, as a registry such as Consul or Eureka lists them; required with static resolution.' }),
  tls: z.strictObject({ originate: z.boolean().default(true), sni: z.string().optional() }).optional().meta({ description: 'Originate TLS to the external service from the proxy.' }),
  resilience: Resilience.optional(),
});

export const ExternalServiceResource = z.strictObject({
  apiVersion: ApiVersion,
  kind: z.literal('ExternalService'),
  metadata: Metadata,
  spec: ExternalServiceSpec,
});

export const GatewaySpec = z.strictObject({
  envoy: z
    .strictObject({
      address: z.string().optional().meta({ description: 'Where the listeners bind; default: 0.0.0.0.' }),
      adminPort: Port.optional().meta({ description: 'The admin interface on 127.0.0.1; default: the Mesh\'s envoy.adminPort.' }),
      certificates: ProxyCertificates.optional().meta({ description: 'The gateway\'s mesh identity, for mutual TLS to the services.' }),
    })
    .optional()
    .meta({ description: 'The gateway proxy (Envoy target).' }),
  selector: Labels.default({ istio: 'ingressgateway' }).meta({ description: 'Labels of the gateway proxy\'s pods.' }),
  listeners: z
    .array(
      z.strictObject({
        name: PortName.optional(),
        port: Port,
        protocol: z.enum(['http', 'https', 'http2', 'tls', 'tcp']),
        hosts: z.array(z.string()).min(1),
        tls: z.strictObject({ mode: z.enum(['simple', 'mutual', 'passthrough']), credentialName: ObjectName.optional().meta({ description: 'The Secret with the certificate and key (Istio); a directory under envoy.gatewayCredentials (Envoy).' }) }).optional(),
      }),
    )
    .min(1),
});

export const GatewayResource = z.strictObject({
  apiVersion: ApiVersion,
  kind: z.literal('Gateway'),
  metadata: Metadata,
  spec: GatewaySpec,
});

export const JwtProvider = z.strictObject({
  issuer: z.string().min(1),
  jwksUri: HttpUrl.optional(),
  jwks: z.string().optional().meta({ description: 'An inline JWKS document.' }),
  // RequestAuthentication jwtRules: issuer, audiences[] and fromHeaders[].name have minLength 1.
  audiences: z.array(z.string().min(1)).optional(),
  fromHeaders: z.array(z.strictObject({ name: z.string().min(1), prefix: z.string().optional() })).optional(),
  forwardOriginalToken: z.boolean().optional(),
});

export const NamespaceDefaults = z.strictObject({
  mtls: MtlsMode.optional(),
  access: z.enum(['allow-by-default', 'deny-by-default']).optional(),
  egress: z.enum(['allow-any', 'registry-only']).optional(),
  injection: z.boolean().default(true).meta({ description: 'Label the namespace for sidecar injection.' }),
  telemetry: Telemetry.optional(),
});

export const MeshSpec = z.strictObject({
  mtls: MtlsMode.default('permissive').meta({ description: 'Default permissive: start small, then tighten per namespace.' }),
  access: z.enum(['allow-by-default', 'deny-by-default']).default('allow-by-default').meta({ description: 'deny-by-default: nothing is reachable unless a service allows it.' }),
  egress: z.enum(['allow-any', 'registry-only']).default('allow-any').meta({ description: 'registry-only: workloads reach only services and external services the mesh declares.' }),
  trustDomain: z.string().default('cluster.local'),
  namespaces: z.record(Name, NamespaceDefaults).optional().meta({ description: 'Defaults per namespace, keyed by the namespace\'s name.' }),
  jwtProviders: z.record(Name, JwtProvider).optional(),
  rateLimitService: z
    .strictObject({
      service: ServiceRef.meta({ description: 'The rate-limit service (envoyproxy/ratelimit API), e.g. ratelimit/ratelimit.' }),
      port: Port.default(8081),
      domain: z.string(),
      failOpen: z.boolean().default(true),
      timeout: z.string().default('20ms'),
    })
    .optional(),
  telemetry: Telemetry.optional(),
  gatewayApi: z
    .strictObject({
      gatewayClass: ObjectName.default('istio').meta({ description: 'The GatewayClass of every compiled Gateway (ingress).' }),
      portable: z
        .boolean()
        .default(false)
        .meta({ description: 'Refuse what only Istio kinds can say (authorization, mTLS, JWT, resilience, rate limits, telemetry, external services, VMs): each use is an error instead of an Istio object beside the Gateway API routes. Same as compile --portable.' }),
    })
    .optional()
    .meta({ description: 'Settings of the Gateway API target (meshctl compile --target gateway-api).' }),
  envoy: z
    .strictObject({
      clusterDomain: z.string().default('cluster.local').meta({ description: 'The DNS domain of default endpoints and of the host names callers use.' }),
      inboundAddress: z.string().default('0.0.0.0').meta({ description: 'Where sidecars\' inbound listeners bind.' }),
      outboundPort: Port.default(15001).meta({ description: 'The sidecars\' HTTP outbound listener on 127.0.0.1: applications send requests for other services there.' }),
      adminPort: Port.default(15000).meta({ description: 'The proxies\' admin interface, always on 127.0.0.1.' }),
      certificates: ProxyCertificates.optional().meta({ description: 'Default certificate paths of every proxy.' }),
      gatewayCredentials: z
        .string()
        .default('/etc/meshctl/gateway-credentials')
        .meta({ description: 'Directory of gateway TLS credentials: a listener\'s credentialName X is X/tls.crt, X/tls.key and, for mutual TLS, X/ca.crt.' }),
      externalCa: z
        .string()
        .default('/etc/ssl/certs/ca-certificates.crt')
        .meta({ description: 'CA bundle that external services\' (TLS origination) and JWKS servers\' certificates are checked against.' }),
    })
    .optional()
    .meta({ description: 'Settings of the Envoy target (meshctl compile --target envoy): plain Envoy proxies, configured statically.' }),
});

export const MeshResource = z.strictObject({
  apiVersion: ApiVersion,
  kind: z.literal('Mesh'),
  metadata: ClusterMetadata,
  spec: MeshSpec,
});

export const KINDS = ['Mesh', 'Service', 'ExternalService', 'Gateway'] as const;
export type Kind = (typeof KINDS)[number];

export const RESOURCE_SCHEMAS = {
  Mesh: MeshResource,
  Service: ServiceResource,
  ExternalService: ExternalServiceResource,
  Gateway: GatewayResource,
} as const satisfies Record<Kind, z.ZodType>;

/** Any mesh document. */
export const MeshDocument = z.discriminatedUnion('kind', [MeshResource, ServiceResource, ExternalServiceResource, GatewayResource]);

export type MeshResourceT = z.infer<typeof MeshResource>;
export type ServiceResourceT = z.infer<typeof ServiceResource>;
export type ExternalServiceResourceT = z.infer<typeof ExternalServiceResource>;
export type GatewayResourceT = z.infer<typeof GatewayResource>;
export type MeshDocumentT = z.infer<typeof MeshDocument>;
export type ServiceSpecT = z.infer<typeof ServiceSpec>;
export type ServicePortT = z.infer<typeof ServicePort>;
