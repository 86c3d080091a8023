// The Gateway API target's rules, one per file: what the routes it writes cannot say. They read
// what the target writes (./routes.ts), so they live with it; they run only for the Gateway API
// target (MESH702 only in portable mode) and are merged into the registry of all rules in
// src/targets/rules.ts.
import type { Rule } from '../../../validators/rule.js';
import routeLeftOut from './MESH700-gateway-api-route-left-out.js';
import settingDropped from './MESH701-gateway-api-setting-dropped.js';
import needsIstio from './MESH702-gateway-api-needs-istio.js';
import mutualTlsListener from './MESH703-gateway-api-mutual-tls-listener.js';
import pathPrefixBySegment from './MESH704-gateway-api-path-prefix-by-segment.js';
import gatewayIdentity from './MESH705-gateway-api-gateway-identity.js';
import routePrecedence from './MESH706-gateway-api-route-precedence.js';

export const GATEWAY_API_RULES: readonly Rule[] = [routeLeftOut, settingDropped, needsIstio, mutualTlsListener, pathPrefixBySegment, gatewayIdentity, routePrecedence];
