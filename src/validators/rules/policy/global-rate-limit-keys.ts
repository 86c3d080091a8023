// What a global rate-limit descriptor counts by: the key fields it sets, and an identity for
// comparing descriptors (header names are case-insensitive).
import type { RateLimitSpec } from '../../../schema/policy.js';

export type GlobalDescriptor = NonNullable<RateLimitSpec['global']>['descriptors'][number];

export const DESCRIPTOR_KEY_FIELDS = ['header', 'remoteAddress', 'path', 'value'] as const;

export function descriptorKeyFields(descriptor: GlobalDescriptor): (typeof DESCRIPTOR_KEY_FIELDS)[number][] {
  return DESCRIPTOR_KEY_FIELDS.filter((field) => descriptor.key[field] !== undefined);
}

/** "header x-user", "remoteAddress", ... or undefined unless exactly one key field is set. */
export function descriptorIdentity(descriptor: GlobalDescriptor): string | undefined {
  const fields = descriptorKeyFields(descriptor);
  if (fields.length !== 1) return undefined;
  const field = fields[0]!;
  if (field === 'header') return `header ${descriptor.key.header!.toLowerCase()}`;
  if (field === 'value') return `value ${descriptor.key.value!}`;
  return field;
}
