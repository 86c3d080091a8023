// The Gateway API target's rules, one per file: run only by `compile --target gateway-api`
// (MESH702 only in portable mode); merged into the sorted index in ../index.ts.
import type { Rule } from '../../rule.js';
import routeLeftOut from './MESH700-gateway-api-route-left-out.js';
import settingDropped from './MESH701-gateway-api-setting-dropped.js';
import needsIstio from './MESH702-gateway-api-needs-istio.js';
import mutualTlsListener from './MESH703-gateway-api-mutual-tls-listener.js';
import pathPrefixBySegment from './MESH704-gateway-api-path-prefix-by-segment.js';
import gatewayIdentity from './MESH705-gateway-api-gateway-identity.js';
import routePrecedence from './MESH706-gateway-api-route-precedence.js';

export const GATEWAY_API_RULES: readonly Rule[] = [routeLeftOut, settingDropped, needsIstio, mutualTlsListener, pathPrefixBySegment, gatewayIdentity, routePrecedence];
