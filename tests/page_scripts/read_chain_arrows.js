// Each arrow from state to state in chapter 16's explorer picture (root): its direction
// and how far down the page it runs (positive: down).
root => [...root.querySelectorAll('.bx-chain')].map(g => {
  const line = g.querySelector('line');
  return [g.classList.contains('bx-forward') ? 'forward' : 'reverse',
          line.y2.baseVal.value - line.y1.baseVal.value];
})
