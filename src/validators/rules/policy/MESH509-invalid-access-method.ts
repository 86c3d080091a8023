// Access-rule methods that never match: HTTP methods are case-sensitive and clients send them in
// upper case, so "get" matches nothing; a value with spaces or other non-token characters is no
// method at all; and an upper-case near miss of a standard method ("GTE") is a typo. Other
// upper-case tokens are accepted, for extension methods such as PROPFIND.
import { defineRule } from '../../rule.js';
import { didYouMean } from '../../../common/suggest.js';
import { accessRules } from '../../../model/access-rules.js';
import { HTTP_METHODS, methodProblem } from '../../../model/access-syntax.js';

export default defineRule({
  code: 'MESH509',
  name: 'invalid-access-method',
  level: 'error',
  category: 'security',
  description: 'An access-rule method that is not an upper-case HTTP method token, or a misspelt standard method.',
  messages: {
    case: 'method "{method}" never matches: methods are case-sensitive and requests carry them in upper case; write "{upper}"',
    token: 'method "{method}" is not an HTTP method token: write an upper-case method such as GET or POST',
    typo: 'method "{method}" is not a standard HTTP method{suggestion}',
  },
  check({ model, report }) {
    for (const service of model.services) {
      for (const { rule, path } of accessRules(service)) {
        rule.to?.methods?.forEach((method, index) => {
          const at = service.at(...path, 'to', 'methods', index);
          const problem = methodProblem(method);
          if (problem === 'case') report('case', { method, upper: method.toUpperCase() }, at);
          else if (problem === 'token') report('token', { method }, at);
          else if (!method.includes('*') && !(HTTP_METHODS as readonly string[]).includes(method)) {
            const suggestion = didYouMean(method, HTTP_METHODS);
            if (suggestion) report('typo', { method, suggestion }, at);
          }
        });
      }
    }
  },
});
