// Read on each page in dark mode: whether each figure (and each step-through player) is
// inverted or sits on a light panel.
() => [
  ...[...document.querySelectorAll('.bd-article .cell_output img')].map(img => {
    const s = getComputedStyle(img);
    return {what: img.alt || img.id, inverted: s.filter.includes('invert'),
            panel: s.backgroundColor !== 'rgba(0, 0, 0, 0)'};
  }),
  ...[...document.querySelectorAll('.bd-article .cell_output .text_html')]
    .filter(box => box.querySelector('.animation'))
    .map(box => getComputedStyle(box).backgroundColor !== 'rgba(0, 0, 0, 0)')
    .map(panel => ({what: 'step-through player', inverted: true, panel})),
]
