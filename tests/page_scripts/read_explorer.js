// Everything chapter 16's explorer shows, as data: numbers as [shown text, full value].
root => {
  const nums = el => [...el.querySelectorAll('.bx-num')].map(
    n => [n.textContent, Number(n.dataset.value)]);
  const text = el => el ? el.textContent.replace(/\s+/g, ' ').trim() : null;
  const cards = [...root.querySelectorAll('.bx-card')].map(card => {
    const rows = {};
    for (const row of card.querySelectorAll('tr[data-q]')) {
      const cell = row.querySelector('td');
      rows[row.dataset.q] = {text: text(cell), nums: nums(cell)};
    }
    return {direction: card.dataset.direction, t: Number(card.dataset.t), rows,
            hidden: card.hidden};
  });
  const out = [...root.querySelectorAll('.bx-out tbody tr')].map(row => ({
    t: Number(row.dataset.t),
    x: text(row.querySelector('.bx-x')),
    cells: [...row.querySelectorAll('td[data-direction]')].map(cell => ({
      direction: cell.dataset.direction, unit: Number(cell.dataset.unit),
      nums: nums(cell), current: cell.classList.contains('bx-current'),
      changed: cell.classList.contains('bx-changed'), text: text(cell)})),
    read: Object.fromEntries([...row.querySelectorAll('td[data-read]')].map(
      cell => [cell.dataset.read, text(cell)])),
    inHn: text(row.querySelector('.bx-in-hn')),
  }));
  const hn = [...root.querySelectorAll('[data-hn]')].map(
    p => ({index: Number(p.dataset.hn), text: text(p), nums: nums(p)}));
  const weights = Object.fromEntries([...root.querySelectorAll('table[data-name]')].map(
    table => [table.dataset.name,
              [...table.querySelectorAll('tr')].map(tr => nums(tr))]));
  const field = root.querySelector('input[type=text]');
  const slider = root.querySelector('input[type=range]');
  const changes = Object.fromEntries([...root.querySelectorAll('[data-changes]')].map(
    span => [span.dataset.changes, text(span)]));
  return {cards, out, hn, weights, changes,
          changesText: text(root.querySelector('.bx-changes')),
          message: text(root.querySelector('.bx-msg')),
          invalid: field.getAttribute('aria-invalid'),
          describedBy: field.getAttribute('aria-describedby'),
          messageId: root.querySelector('.bx-msg').id,
          hiddenSize: Number(root.querySelector('select').value),
          k: Number(slider.value), kMax: Number(slider.max),
          now: text(root.querySelector('.bx-now'))};
}
