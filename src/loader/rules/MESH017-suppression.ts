import { defineRule } from '../../diagnostics/rule.js';

export default defineRule({
  code: 'MESH017',
  name: 'suppression',
  level: 'warning',
  category: 'load',
  description: 'An inline "# meshctl-disable-next-line" comment that suppresses nothing, gives no reason, or names no rule.',
  messages: {
    unused: 'this comment suppresses nothing: no {codes} finding on the next line; remove it',
    noReason: 'a suppression needs a reason: "# meshctl-disable-next-line {codes} -- why this is fine"; without one it suppresses nothing',
    noRule: 'name the rules to suppress: "# meshctl-disable-next-line MESH301 -- why this is fine"',
    unknownRule: 'unknown rule "{rule}" in a suppression: run "meshctl rules" for the list',
    fatal: 'rule {rule} reports input that cannot be read; it cannot be suppressed',
  },
});
