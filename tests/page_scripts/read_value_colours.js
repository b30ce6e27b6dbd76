// The colours of chapter 16's explorer value scale (root), from -1 to +1, as computed.
root => [...root.querySelectorAll('.bx-swatch')].map(
  swatch => getComputedStyle(swatch).backgroundColor)
