// Finds a version whose labels are a strict subset of another version's: it selects the other
// version's workloads as well as its own, so traffic meant for it also reaches them (a "stable"
// subset that quietly includes the canary's pods).
import { defineRule } from '../../rule.js';
import { isStrictSubset } from '../../../model/label-sets.js';

export default defineRule({
  code: 'MESH224',
  name: 'overlapping-version-labels',
  level: 'warning',
  category: 'reference',
  description: 'A version whose labels are a subset of another version\'s, so it also selects that version\'s workloads.',
  messages: {
    overlapping:
      'version "{version}" also selects the workloads of {others}, whose labels include all of its own; add a label that tells them apart, e.g. version: {version}',
    unlabelled: 'version "{version}" has no labels, so it selects every workload of the service, those of {others} too; give it the labels of its own workloads',
  },
  check(context) {
    for (const service of context.model.services) {
      const versions = Object.entries(service.resource.spec.versions ?? {});
      for (const [name, version] of versions) {
        const narrower = versions.filter(([other, candidate]) => other !== name && isStrictSubset(version.labels, candidate.labels));
        if (narrower.length === 0) continue;
        const others = narrower.map(([other]) => `version "${other}"`).join(', ');
        context.report(
          Object.keys(version.labels).length === 0 ? 'unlabelled' : 'overlapping',
          { version: name, others },
          service.at('spec', 'versions', name, 'labels'),
          narrower.map(([other]) => ({ message: `version "${other}"`, location: service.at('spec', 'versions', other, 'labels') })),
        );
      }
    }
  },
});
