// Finds a second Mesh document. Mesh-wide settings come from one document only; the settings of
// any other are ignored, and which one is first depends on file names.
import { defineRule } from '../../rule.js';

export default defineRule({
  code: 'MESH221',
  name: 'duplicate-mesh',
  level: 'error',
  category: 'reference',
  description: 'More than one Mesh document: only the first one\'s settings apply.',
  messages: {
    duplicate: 'a mesh has one Mesh document; the settings of this one ("{name}") are ignored, merge them into Mesh "{first}"',
  },
  check(context) {
    const [first, ...others] = context.model.meshes;
    if (!first) return;
    for (const mesh of others) {
      context.report('duplicate', { name: mesh.name, first: first.name }, mesh.at('metadata', 'name'), [
        { message: `Mesh "${first.name}", whose settings apply`, location: first.at('metadata', 'name') },
      ]);
    }
  },
});
