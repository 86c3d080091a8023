// The traffic emitters, one concern per file; merged by ../index.ts.
import type { IstioEmitter } from '../index.js';
import { compileDestinationRules } from './destination-rule.js';
import { compileExternalDestinationRules } from './external-destination-rule.js';
import { compileGateways } from './gateway.js';
import { compileIngressVirtualServices } from './ingress-virtual-service.js';
import { compileVirtualServices } from './virtual-service.js';

export const TRAFFIC_EMITTERS: readonly IstioEmitter[] = [
  compileVirtualServices,
  compileIngressVirtualServices,
  compileGateways,
  compileDestinationRules,
  compileExternalDestinationRules,
];
