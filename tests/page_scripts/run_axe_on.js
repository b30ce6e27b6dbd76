// axe.run on one part of the page ({selector, options}), as run_axe.js runs it on the
// whole page: every rule whose worst finding axe rates moderate or minor turned off
// (unless options name it), so that only serious and critical findings are looked for.
({selector, options}) => {
  const rules = {...options.rules};
  for (const rule of axe._audit.rules) {
    if (!['serious', 'critical'].includes(rule.impact) && !(rule.id in rules)) {
      rules[rule.id] = {enabled: false};
    }
  }
  return axe.run(document.querySelector(selector), {...options, rules});
}
