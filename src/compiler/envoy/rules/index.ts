// The Envoy target's rules, one per file: what the sidecars and gateways it writes cannot do (ports
// their listeners would share with each other or with the application). They read the target's
// settings and the plan, so they live with the target; they run only for the Envoy target
// (`target: 'envoy'`) and are merged into the registry of all rules in src/targets/rules.ts.
import type { Rule } from '../../../validators/rule.js';
import proxyPortConflict from './MESH233-proxy-port-conflict.js';
import applicationPortConflict from './MESH234-application-port-conflict.js';
import outboundTcpPortConflict from './MESH235-outbound-tcp-port-conflict.js';

export const ENVOY_RULES: readonly Rule[] = [proxyPortConflict, applicationPortConflict, outboundTcpPortConflict];
