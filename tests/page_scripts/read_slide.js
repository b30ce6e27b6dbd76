// What the current slide of a reveal.js deck (make slides) shows, as data: the
// smallest text as the reader sees it (font size times reveal.js's scale), each
// figure's pixels against its size on screen, each equation's rendering, and how many
// pixels of it are below the bottom of the slide (hidden unless scrolled to).
() => {
  const slide = Reveal.getCurrentSlide();
  const scale = Reveal.getScale();
  const ratio = window.devicePixelRatio;
  const texts = [];
  const walker = document.createTreeWalker(slide, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const element = node.parentElement;
    if (!node.textContent.trim() || element.closest("mjx-container, svg")) continue;
    const size = parseFloat(getComputedStyle(element).fontSize) * scale;
    texts.push({ text: node.textContent.trim().slice(0, 40), px: size });
  }
  const figures = [...slide.querySelectorAll("img")].map((img) => ({
    natural: img.naturalWidth,
    shown: img.getBoundingClientRect().width * ratio,
  }));
  const equations = [...slide.querySelectorAll(".math")].map((math) => ({
    tex: math.textContent.slice(0, 60),
    rendered: !!math.querySelector("mjx-container svg"),
    error: !!math.querySelector("[data-mjx-error], mjx-merror"),
  }));
  const hidden = slide.scrollHeight - slide.clientHeight;
  return { texts, figures, equations, hidden };
}
