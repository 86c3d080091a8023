// Finds two versions of a service that select exactly the same labels. They compile to two subsets
// with the same workloads, so a canary or split between them moves no traffic at all while looking
// like a rollout.
import { defineRule } from '../../rule.js';
import { sameLabels } from '../../../model/label-sets.js';

export default defineRule({
  code: 'MESH223',
  name: 'duplicate-version-labels',
  level: 'error',
  category: 'reference',
  description: 'Two versions of a service that select the same labels, so they are the same workloads under two names.',
  messages: {
    duplicate: 'version "{version}" selects the same labels as version "{other}", so both name the same workloads; give each version a label that tells them apart, e.g. version: {version}',
  },
  check(context) {
    for (const service of context.model.services) {
      const versions = Object.entries(service.resource.spec.versions ?? {});
      versions.forEach(([name, version], index) => {
        const earlier = versions.slice(0, index).find(([, other]) => sameLabels(other.labels, version.labels));
        if (!earlier) return;
        context.report('duplicate', { version: name, other: earlier[0] }, service.at('spec', 'versions', name, 'labels'), [
          { message: `version "${earlier[0]}"`, location: service.at('spec', 'versions', earlier[0], 'labels') },
        ]);
      });
    }
  },
});
