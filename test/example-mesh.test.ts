// The bundled example mesh is the format's showcase and the first thing users copy: it must
// validate without a single diagnostic, and it must use every field of every kind (plus every
// load-balancer algorithm, protocol and mTLS mode), so that "the example shows the whole format"
// stays true as the format grows.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { SourceDocument } from '../src/loader/source-file.js';
import { loadMesh, validate } from '../src/index.js';
import { LoadBalancer } from '../src/schema/policy.js';
import { MtlsMode, Protocol } from '../src/schema/primitives.js';
import { RESOURCE_SCHEMAS, type Kind } from '../src/schema/resources.js';

const exampleDir = path.join(import.meta.dirname, '..', 'examples', 'mesh');

type Def = Record<string, unknown> & { type: string };
const defOf = (schema: z.ZodType): Def => schema._zod.def as unknown as Def;

/** Looks through optional/default/nullable/pipe wrappers (unions are left to the caller). */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault') current = def.innerType as z.ZodType;
    else if (def.type === 'pipe') current = def.in as z.ZodType;
    else return current;
  }
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What a mesh uses of the format. Object schemas are counted by identity, so a shared building
 * block (StringMatch, Resilience, LocalRateLimit...) needs each of its fields used once anywhere,
 * not at every place it appears.
 */
class FormatUsage {
  /** Each object schema of the format, with the first path it was found at (for messages). */
  readonly objects = new Map<z.ZodType, string>();
  readonly usedFields = new Map<z.ZodType, Set<string>>();
  readonly usedEnumValues = new Map<z.ZodType, Set<string>>();

  /** Records every object schema reachable from a kind's schema. */
  register(schema: z.ZodType, at: string): void {
    const current = unwrap(schema);
    const def = defOf(current);
    if (def.type === 'object') {
      if (this.objects.has(current)) return;
      this.objects.set(current, at);
      for (const [key, field] of Object.entries(def.shape as Record<string, z.ZodType>)) this.register(field, `${at}.${key}`);
    } else if (def.type === 'array') this.register(def.element as z.ZodType, `${at}[]`);
    else if (def.type === 'record') this.register(def.valueType as z.ZodType, `${at}.<key>`);
    else if (def.type === 'union') for (const option of def.options as z.ZodType[]) this.register(option, at);
  }

  /** Walks a raw document (before defaults are applied) alongside its schema. */
  use(schema: z.ZodType, value: unknown): void {
    const current = unwrap(schema);
    const def = defOf(current);
    switch (def.type) {
      case 'object': {
        if (!isPlainObject(value)) return;
        const shape = def.shape as Record<string, z.ZodType>;
        const used = this.usedFields.get(current) ?? new Set<string>();
        this.usedFields.set(current, used);
        for (const [key, child] of Object.entries(value)) {
          const field = shape[key];
          if (!field) continue;
          used.add(key);
          this.use(field, child);
        }
        return;
      }
      case 'array':
        if (Array.isArray(value)) for (const item of value) this.use(def.element as z.ZodType, item);
        return;
      case 'record':
        if (isPlainObject(value)) for (const item of Object.values(value)) this.use(def.valueType as z.ZodType, item);
        return;
      case 'union':
        // Every alternative the value fits: the schema has no union of two object or two list shapes.
        for (const option of def.options as z.ZodType[]) if (option.safeParse(value).success) this.use(option, value);
        return;
      case 'enum': {
        const used = this.usedEnumValues.get(current) ?? new Set<string>();
        this.usedEnumValues.set(current, used);
        if (typeof value === 'string') used.add(value);
        return;
      }
      default:
        return;
    }
  }

  /** Paths of the object fields nothing used, e.g. Service.spec.routes[].fault.abort.percent. */
  missingFields(): string[] {
    const missing: string[] = [];
    for (const [schema, at] of this.objects) {
      const used = this.usedFields.get(schema) ?? new Set<string>();
      for (const key of Object.keys(defOf(schema).shape as object)) if (!used.has(key)) missing.push(`${at}.${key}`);
    }
    return missing.sort();
  }

  missingEnumValues(schema: z.ZodType): string[] {
    const used = this.usedEnumValues.get(schema) ?? new Set<string>();
    return Object.values(defOf(schema).entries as Record<string, string>).filter((value) => !used.has(value));
  }
}

function usageOf(documents: readonly SourceDocument[]): FormatUsage {
  const usage = new FormatUsage();
  for (const [kind, schema] of Object.entries(RESOURCE_SCHEMAS)) usage.register(schema, kind);
  for (const document of documents) {
    const kind = isPlainObject(document.value) ? document.value.kind : undefined;
    if (typeof kind === 'string' && kind in RESOURCE_SCHEMAS) usage.use(RESOURCE_SCHEMAS[kind as Kind], document.value);
  }
  return usage;
}

const loadBalancerNames = (defOf(LoadBalancer).options as z.ZodType[]).find((option) => defOf(option).type === 'enum')!;

describe('examples/mesh', () => {
  it('validates without any diagnostic, not even info', async () => {
    const result = validate(await loadMesh([exampleDir]));
    expect(result.diagnostics.map((d) => `${d.span.file}:${d.span.line}:${d.span.column} ${d.code} ${d.message}`)).toEqual([]);
    expect(result.documentCount).toBeGreaterThanOrEqual(10);
    expect(result.model.services.length).toBeGreaterThanOrEqual(6);
    expect(result.model.externalServices.length).toBeGreaterThanOrEqual(2);
    expect(result.model.gateways.length).toBe(1);
    expect(result.model.mesh).toBeDefined();
  });

  it('uses every field of every kind', async () => {
    const usage = usageOf((await loadMesh([exampleDir])).documents);
    // Guards against a walker that finds nothing to check.
    expect(usage.objects.size).toBeGreaterThan(50);
    expect(usage.missingFields(), 'fields the example mesh never uses').toEqual([]);
  });

  it('uses every load-balancer algorithm, protocol and mTLS mode', async () => {
    const usage = usageOf((await loadMesh([exampleDir])).documents);
    expect(usage.missingEnumValues(loadBalancerNames), 'load balancers').toEqual([]);
    expect(usage.missingEnumValues(Protocol), 'protocols').toEqual([]);
    expect(usage.missingEnumValues(MtlsMode), 'mTLS modes').toEqual([]);
  });

  it('the coverage check notices what a mesh leaves out', async () => {
    const documents = (await loadMesh([exampleDir])).documents;
    const withoutInventory = documents.filter((d) => !(isPlainObject(d.value) && isPlainObject(d.value.metadata) && d.value.metadata.name === 'inventory'));
    expect(withoutInventory.length).toBe(documents.length - 1);
    const usage = usageOf(withoutInventory);
    expect(usage.missingFields()).toEqual(expect.arrayContaining(['Service.spec.vms', 'Service.spec.vms[].network', 'Service.spec.resilience.loadBalancer.consistentHash.sourceIp']));
    expect(usage.missingEnumValues(Protocol)).toEqual(['tcp']);
    expect(usage.missingEnumValues(MtlsMode)).toEqual(['disabled']);
  });
});
