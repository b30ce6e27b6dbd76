// Everything chapter 16's explorer shows, as data: numbers as [shown text, full value].
// Shown numbers use the minus sign of the equations (U+2212); the tests read it as "-".
root => {
  const nums = el => [...el.querySelectorAll('.bx-num')].map(
    n => [n.textContent.replace('\u2212', '-'), Number(n.dataset.value)]);
  const text = el => el ? el.textContent.replace(/\s+/g, ' ').trim() : null;
  const bin = el => {
    const m = (el.getAttribute('class') || '').match(/\bbx-v(\d)\b/);
    return m ? Number(m[1]) : null;
  };
  const cards = [...root.querySelectorAll('.bx-card')].map(card => {
    const rows = {};
    for (const row of card.querySelectorAll('tr[data-q]')) {
      const cell = row.querySelector('td');
      rows[row.dataset.q] = {text: text(cell), nums: nums(cell)};
    }
    return {direction: card.dataset.direction, t: Number(card.dataset.t), rows};
  });
  // out[0]: a table row per (t, direction), a cell per unit.
  const out = [...root.querySelectorAll('.bx-out tbody tr')].map(row => ({
    t: Number(row.dataset.t), direction: row.dataset.direction,
    inHn: text(row.querySelector('.bx-in-hn')) || '',
    cells: [...row.querySelectorAll('td[data-direction]')].map(cell => ({
      unit: Number(cell.dataset.unit), nums: nums(cell), bin: bin(cell),
      current: cell.classList.contains('bx-current'),
      lit: cell.classList.contains('bx-lit'),
      delta: cell.querySelector('.bx-delta') ?
        {text: text(cell.querySelector('.bx-delta')),
         full: Number(cell.querySelector('.bx-delta').dataset.delta),
         changed: cell.querySelector('.bx-delta').classList.contains('bx-changed')} : null,
    })),
  }));
  // The picture: every state (its cells' values and colour bins) and every input entry.
  const states = [...root.querySelectorAll('svg .bx-state')].map(g => ({
    direction: g.dataset.direction, t: Number(g.dataset.t),
    first: Number(g.dataset.first), last: Number(g.dataset.last),
    label: g.getAttribute('aria-label'),
    done: !g.classList.contains('bx-not-yet'), current: g.classList.contains('bx-current'),
    moved: g.classList.contains('bx-moved'), lit: g.classList.contains('bx-lit'),
    box: (() => { const b = g.getBoundingClientRect();
      return {x: b.x, y: b.y, width: b.width, height: b.height}; })(),
    cells: [...g.querySelectorAll('rect.bx-cell')].map(r => ({
      value: r.dataset.value === undefined ? null : Number(r.dataset.value), bin: bin(r)})),
  }));
  const inputs = [...root.querySelectorAll('svg .bx-input')].map(g => ({
    t: Number(g.dataset.t), lit: g.classList.contains('bx-lit'),
    moved: g.classList.contains('bx-moved'),
    entries: [...g.querySelectorAll('.bx-entry')].map(e => ({
      value: Number(e.getAttribute('aria-valuenow')), shown: text(e),
      tabindex: e.getAttribute('tabindex')})),
  }));
  const chains = [...new Set([...root.querySelectorAll('svg .bx-state')].map(
    g => g.dataset.direction))];
  const hn = [...root.querySelectorAll('.bx-hn [data-hn]')].map(
    p => ({index: Number(p.dataset.hn), text: text(p), nums: nums(p),
           lit: p.classList.contains('bx-lit')}));
  const hnMarks = Object.fromEntries([...root.querySelectorAll('svg .bx-hn-mark')].map(
    g => [g.dataset.hn, g.classList.contains('bx-lit')]));
  const weights = Object.fromEntries([...root.querySelectorAll('table[data-name]')].map(
    table => [table.dataset.name,
              [...table.querySelectorAll('tr')].map(tr => nums(tr))]));
  const field = root.querySelector('textarea');
  const slider = root.querySelector('input[type=range]');
  const changes = Object.fromEntries([...root.querySelectorAll('[data-changes]')].map(
    span => [span.dataset.changes, text(span)]));
  const button = cls => root.querySelector('button.' + cls);
  const readout = root.querySelector('.bx-readout');
  return {cards, out, states, inputs, chains, hn, hnMarks, weights, changes,
          changesText: text(root.querySelector('.bx-changes')),
          readout: {text: text(readout), nums: nums(readout)},
          message: text(root.querySelector('.bx-msg')),
          field: field.value,
          invalid: field.getAttribute('aria-invalid'),
          describedBy: field.getAttribute('aria-describedby'),
          messageId: root.querySelector('.bx-msg').id,
          hiddenSize: Number(root.querySelector('select').value),
          k: Number(slider.value), kMax: Number(slider.max),
          now: text(root.querySelector('.bx-now')),
          live: text(root.querySelector('.bx-live')),
          disabled: Object.fromEntries(['bx-previous', 'bx-next', 'bx-play', 'bx-pin',
            'bx-unpin'].map(cls => [cls, button(cls).disabled])),
          play: text(button('bx-play'))};
}
