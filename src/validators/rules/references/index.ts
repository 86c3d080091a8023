// The references rules, one per file; listed here and merged into the sorted index in ../index.ts.
import type { Rule } from '../../rule.js';
import unresolvedService from './MESH200-unresolved-service.js';
import unresolvedVersion from './MESH201-unresolved-version.js';
import unresolvedPort from './MESH202-unresolved-port.js';
import unexposedAccessPort from './MESH203-unexposed-access-port.js';
import unresolvedJwtProvider from './MESH204-unresolved-jwt-provider.js';
import unresolvedGateway from './MESH205-unresolved-gateway.js';
import unservedExposedHost from './MESH206-unserved-exposed-host.js';
import redundantDependency from './MESH207-redundant-dependency.js';
import unresolvedProxyPortName from './MESH208-unresolved-proxy-port-name.js';
import undeclaredNamedCallee from './MESH209-undeclared-named-callee.js';
import duplicateName from './MESH220-duplicate-name.js';
import duplicateMesh from './MESH221-duplicate-mesh.js';
import duplicatePort from './MESH222-duplicate-port.js';
import duplicateVersionLabels from './MESH223-duplicate-version-labels.js';
import overlappingVersionLabels from './MESH224-overlapping-version-labels.js';
import duplicateRouteName from './MESH225-duplicate-route-name.js';
import duplicateExternalHost from './MESH226-duplicate-external-host.js';
import overlappingExposure from './MESH227-overlapping-exposure.js';
import overlappingServiceSelectors from './MESH230-overlapping-service-selectors.js';
import externalResolutionMismatch from './MESH231-external-resolution-mismatch.js';
import gatewayPortConflict from './MESH232-gateway-port-conflict.js';
import invalidProxyAddress from './MESH236-invalid-proxy-address.js';
import unreachableExternalService from './MESH237-unreachable-external-service.js';
import invalidVersionName from './MESH242-invalid-version-name.js';

export const REFERENCES_RULES: readonly Rule[] = [
  unresolvedService, unresolvedVersion, unresolvedPort, unexposedAccessPort, unresolvedJwtProvider, unresolvedGateway, unservedExposedHost,
  redundantDependency, undeclaredNamedCallee, duplicateName, duplicateMesh, duplicatePort, duplicateVersionLabels, overlappingVersionLabels, duplicateRouteName,
  duplicateExternalHost, overlappingExposure, overlappingServiceSelectors, externalResolutionMismatch, gatewayPortConflict,
  invalidVersionName,
  unresolvedProxyPortName, invalidProxyAddress, unreachableExternalService,
];
