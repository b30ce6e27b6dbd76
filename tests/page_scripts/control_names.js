// Each control of the explorer (root) with its accessible name: [start of its HTML, name].
// The name from aria-label, aria-labelledby, a <label>, or the control's own text.
root => [...root.querySelectorAll(
  'input, select, textarea, button, [role=region], [role=button], [role=spinbutton]',
)].map(el => {
  const by = el.getAttribute('aria-labelledby');
  const name = el.getAttribute('aria-label') ||
    (el.labels && el.labels.length ? el.labels[0].textContent :
     by ? document.getElementById(by).textContent : el.textContent);
  return [el.outerHTML.slice(0, 60), name.trim()];
})
