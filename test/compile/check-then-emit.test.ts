// `meshctl compile` checks the mesh and compiles it in two steps (checkForTarget, emitArtifacts),
// so that the loaded mesh (source texts, parsed documents) can be let go before the output is
// built. The two steps must give what compileArtifacts gives, refuse what it refuses, and what the
// check returns must not hold the parsed documents.
import { describe, expect, it } from 'vitest';
import { checkForTarget, compileArtifacts, emitArtifacts } from '../../src/pipeline/index.js';
import { artifactChunks, type Artifacts } from '../../src/output/artifacts.js';
import { loadMesh, loadSources, SourceText } from '../../src/index.js';

function text(artifacts: Artifacts): string {
  return [...artifactChunks(artifacts, 'yaml')].join('');
}

describe('checkForTarget, then emitArtifacts', () => {
  it.each(['istio', 'gateway-api', 'envoy'])('gives what compileArtifacts gives (%s)', async (target) => {
    const whole = compileArtifacts(await loadMesh(['examples/mesh']), { target });
    const checked = checkForTarget(await loadMesh(['examples/mesh']), { target });
    if (!whole.ok || !checked.ok) throw new Error('examples/mesh does not compile');
    expect(checked.target.name).toBe(target);
    expect(checked.validation.diagnostics).toEqual(whole.validation.diagnostics);
    const output = text(emitArtifacts(checked));
    expect(output.length).toBeGreaterThan(1000);
    expect(output).toBe(text(whole.artifacts));
  });

  it('refuses a mesh with errors, with the diagnostics compileArtifacts gives', () => {
    const broken = new SourceText('broken.yaml', 'apiVersion: meshctl.dev/v1alpha1\nkind: Service\nmetadata: {name: a}\nspec:\n  ports: [{name: http, port: 80, protocol: htp}]\n');
    const checked = checkForTarget(loadSources([broken]), { target: 'istio' });
    expect(checked.ok).toBe(false);
    expect(checked.validation.errorCount).toBeGreaterThan(0);
    expect(checked.validation.diagnostics).toEqual(compileArtifacts(loadSources([broken]), { target: 'istio' }).validation.diagnostics);
  });

  it('keeps no parsed document in the model: its nodes know only where their document is', async () => {
    const loaded = await loadMesh(['examples/mesh']);
    const checked = checkForTarget(loaded, { target: 'istio' });
    const { model } = checked.validation;
    const nodes = [...model.services, ...model.externalServices, ...model.gateways];
    expect(nodes.length).toBeGreaterThan(5);
    for (const node of nodes) {
      expect(Object.keys(node.document).sort()).toEqual(['endOffset', 'file', 'firstLine', 'index', 'startOffset']);
      const loadedDocument = loaded.documents.find((document) => document.file === node.document.file && document.index === node.document.index);
      expect(loadedDocument?.firstLine).toBe(node.document.firstLine);
    }
    // The Mesh keeps its parsed value: which settings the author wrote decides their layer.
    expect(model.mesh?.document.value).toBeDefined();
  });
});
