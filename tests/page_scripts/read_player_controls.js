// The first step-through player's image and controls at 390 px:
// [name, right edge, height, tag] for each.
() => [
  ...document.querySelector('.animation').querySelectorAll('img, input, button, label'),
].map(el => {
    const box = el.getBoundingClientRect();
    return [el.title || el.textContent.trim() || el.tagName, box.right, box.height,
            el.tagName];
  })
