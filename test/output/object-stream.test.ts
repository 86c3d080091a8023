// `meshctl compile --target istio` to standard output renders one object at a time, straight into
// the output (the whole stream is never one string): the pieces must give exactly the text of the
// all-at-once YAML stream and of JSON.stringify of the whole List, and render nothing before asked.
import { describe, expect, it } from 'vitest';
import { artifactChunks } from '../../src/output/artifacts.js';
import { jsonListChunks, toJsonList, toYaml, toYamlStream, yamlStreamChunks, type KubernetesObject } from '../../src/output/manifest.js';
import { compile, loadMesh } from '../../src/index.js';

async function exampleObjects(): Promise<readonly KubernetesObject[]> {
  const result = compile(await loadMesh(['examples/mesh']), { target: 'istio' });
  if (!result.ok) throw new Error('examples/mesh does not compile');
  return result.objects;
}

/** The YAML stream rendered all at once, as the writer did before it streamed. */
function wholeYamlStream(objects: readonly KubernetesObject[]): string {
  return objects.map((object) => `---\n${toYaml(object)}`).join('');
}

describe('the Istio objects, piece by piece', () => {
  it('give the YAML stream and the JSON List byte for byte', async () => {
    const objects = await exampleObjects();
    expect(objects.length).toBeGreaterThan(10);
    const yaml = [...artifactChunks({ kind: 'objects', objects }, 'yaml')];
    expect(yaml).toHaveLength(objects.length);
    expect(yaml.join('')).toBe(wholeYamlStream(objects));
    expect(yaml.join('')).toBe(toYamlStream(objects));
    const json = [...artifactChunks({ kind: 'objects', objects }, 'json')];
    expect(json).toHaveLength(objects.length + 1);
    expect(json.join('')).toBe(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 2) + '\n');
  });

  it('give JSON.stringify\'s text for an empty list and for strings with escapes', () => {
    expect([...jsonListChunks([])].join('')).toBe(toJsonList([]));
    expect([...yamlStreamChunks([])].join('')).toBe('');
    const tricky: KubernetesObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'a', annotations: { note: 'two\nlines, "quoted", \\ and \u2028' } },
      data: { empty: '', nested: { list: [[], {}, [1, { deep: ['x\ny'] }]] } },
    };
    for (const objects of [[tricky], [tricky, tricky, tricky]]) {
      expect([...jsonListChunks(objects)].join('')).toBe(toJsonList(objects));
      expect(JSON.parse([...jsonListChunks(objects)].join(''))).toEqual({ apiVersion: 'v1', kind: 'List', items: objects });
    }
  });

  it('render each object only when its piece is asked for', () => {
    const rendered: string[] = [];
    const object = (name: string): KubernetesObject => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name },
      get data() {
        rendered.push(name);
        return { name };
      },
    });
    for (const format of ['yaml', 'json'] as const) {
      rendered.length = 0;
      const chunks = artifactChunks({ kind: 'objects', objects: [object('a'), object('b')] }, format)[Symbol.iterator]();
      expect(rendered).toEqual([]);
      chunks.next();
      expect(rendered).toEqual(['a']);
      chunks.next();
      expect(rendered).toEqual(['a', 'b']);
    }
  });
});
