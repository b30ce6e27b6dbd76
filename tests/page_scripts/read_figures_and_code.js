// Read on each page at 1366 px: each figure's natural and shown width, the longest line of
// each code cell that scrolls sideways, whether the logo and the SVG favicon are there.
() => {
  const figures = [...document.querySelectorAll('.bd-article .cell_output img')]
    .filter(img => img.getBoundingClientRect().width > 0)
    .map(img => ({what: img.alt || img.id || 'a figure without alt text',
                  natural: img.naturalWidth,
                  shown: img.getBoundingClientRect().width}));
  const longest = t => t.split('\n').reduce((a, b) => (b.length > a.length ? b : a));
  const scrolling = [...document.querySelectorAll('.bd-article div.highlight pre')]
    .filter(pre => !pre.closest('.cell_output'))
    .filter(pre => pre.scrollWidth > pre.clientWidth + 1)
    .map(pre => longest(pre.textContent));
  const logo = document.querySelector('img.logo__image');
  return {figures, scrolling, logo: !!logo && logo.naturalWidth > 0,
          favicon: !!document.querySelector('link[rel="icon"][href$=".svg"]')};
}
