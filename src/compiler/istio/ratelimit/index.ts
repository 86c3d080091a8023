// The ratelimit emitters, one concern per file; merged by ../index.ts.
import type { IstioEmitter } from '../index.js';
import { compileRateLimitServiceConfig } from './descriptor-config.js';
import { compileGlobalRateLimits } from './global-rate-limit.js';
import { compileLocalRateLimits } from './local-rate-limit.js';

export const RATELIMIT_EMITTERS: readonly IstioEmitter[] = [compileLocalRateLimits, compileGlobalRateLimits, compileRateLimitServiceConfig];
