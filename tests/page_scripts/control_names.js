// Each control of the explorer (root) with its accessible name: [start of its HTML, name].
root => [...root.querySelectorAll('input, select, button, [role=region]')].map(el => {
  const by = el.getAttribute('aria-labelledby');
  const name = el.labels && el.labels.length ? el.labels[0].textContent :
    by ? document.getElementById(by).textContent : el.textContent;
  return [el.outerHTML.slice(0, 60), name.trim()];
})
