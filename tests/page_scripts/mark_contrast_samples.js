// Colour contrast is axe's slowest rule by far (seconds on a chapter: it stacks up the
// background behind each of thousands of highlighted code tokens). Contrast depends on
// colours, sizes and backgrounds, not on how often they recur nor on which page, so this
// marks one visible element for each distinct (text colour, font size, weight, text shadow,
// background chain) not in `checked`, points axe's color-contrast rule at the marked ones,
// and returns their keys: every colour pair a reader meets, light and dark, in a few dozen
// checks per page at most.
checked => {
  document.querySelectorAll('[data-contrast-sample]').forEach(
    e => delete e.dataset.contrastSample);
  const backgrounds = new Map();
  const background = el => {  // colours, images, opacity, filters down to an opaque one
    if (!el) return '';
    if (!backgrounds.has(el)) {
      const s = getComputedStyle(el);
      let key = [s.backgroundColor, s.backgroundImage !== 'none', s.opacity, s.filter];
      if (!s.backgroundColor.startsWith('rgb(') || s.opacity !== '1') {
        key.push(background(el.parentElement));
      }
      backgrounds.set(el, key.join(' '));
    }
    return backgrounds.get(el);
  };
  const seen = new Set(checked);
  const found = [];
  const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let text = texts.nextNode(); text; text = texts.nextNode()) {
    const el = text.parentElement;
    if (!text.data.trim() || !el || 'contrastSample' in el.dataset) continue;
    const shown = {opacityProperty: true, visibilityProperty: true};
    if (!el.checkVisibility(shown)) continue;
    const s = getComputedStyle(el);
    const key = [s.color, s.fontSize, s.fontWeight, s.textShadow, background(el)];
    if (seen.has(key.join('|'))) continue;
    seen.add(key.join('|'));
    found.push(key.join('|'));
    el.dataset.contrastSample = '';
  }
  axe.configure({rules: [{id: 'color-contrast', selector: '[data-contrast-sample]'}]});
  return found;
}
