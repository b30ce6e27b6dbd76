// axe.run with options, on the whole page or on the element `selector` names, and with
// every rule whose worst finding axe rates moderate or minor turned off (unless options
// name it): only serious and critical findings fail a page, so the others would only cost
// time. Each rule's impact is in axe's own table, axe._audit.
({options, selector}) => {
  const rules = {...options.rules};
  for (const rule of axe._audit.rules) {
    if (!['serious', 'critical'].includes(rule.impact) && !(rule.id in rules)) {
      rules[rule.id] = {enabled: false};
    }
  }
  const context = selector ? document.querySelector(selector) : document;
  return axe.run(context, {...options, rules});
}
