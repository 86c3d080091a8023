// Access-rule paths that never match a request: not starting with "/", a "*" anywhere but as a
// whole prefix or suffix (Istio matches exact, "prefix*", "*suffix" and "*" only), or a query
// string (Istio compares the path without its query). An allow then admits nothing; a deny
// silently refuses nothing.
import { defineRule } from '../../rule.js';
import { accessRules } from '../../../model/access-rules.js';
import { pathProblem } from '../../../model/access-syntax.js';

export default defineRule({
  code: 'MESH508',
  name: 'invalid-access-path',
  level: 'error',
  category: 'security',
  description: 'An access-rule path that can never match: not "/..." or a "*" prefix/suffix pattern, a "*" in the middle, or a query string.',
  messages: {
    relative: 'path "{path}" does not start with "/", so it never matches a request: write "/{path}"',
    wildcard: 'path "{path}" uses "*" inside the path, but only one "*" as the whole prefix or suffix is supported ("/api/*", "*.json"): split it into several paths',
    query: 'path "{path}" contains a query string or fragment, but rules match the path without them, so it never matches: remove everything from "?"',
  },
  check({ model, report }) {
    for (const service of model.services) {
      for (const { rule, path } of accessRules(service)) {
        rule.to?.paths?.forEach((value, index) => {
          const problem = pathProblem(value);
          if (problem) report(problem, { path: value }, service.at(...path, 'to', 'paths', index));
        });
      }
    }
  },
});
