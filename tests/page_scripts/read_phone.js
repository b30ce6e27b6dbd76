// Read on each page at 390 px: the page's width, the equations too wide for the screen and
// whether they scroll with a cue, the inline formulas too wide for it and whether they scroll, and the quiz answers (opens the first one to read its mark
// and focus ring).
() => {
  const equations = [...document.querySelectorAll('div.math > mjx-container')];
  const wide = equations.filter(box => box.scrollWidth > box.clientWidth + 1);
  // Inline formulas wider than the column, which the theme would clip (overflow: hidden).
  // (Narrower ones that overhang their box by a pixel or two stay as the theme has them.)
  const inline = [...document.querySelectorAll('.bd-content span.math')].filter(
    box => box.clientWidth >= (box.parentElement?.clientWidth ?? 0) - 1
      && box.scrollWidth > box.clientWidth + 1);
  const answers = [...document.querySelectorAll('details.quiz-answer')];
  const first = answers[0];
  let quiz = null;
  if (first) {
    first.open = true;
    const summary = first.querySelector('summary');
    summary.focus();
    const verdict = first.querySelector('.quiz-verdict');
    quiz = {
      answers: answers.length,
      smallest: Math.min(...answers.map(
        a => a.querySelector('summary').getBoundingClientRect().height)),
      marked: answers.filter(a => a.dataset.verdict).length,
      mark: verdict ? getComputedStyle(verdict, '::before').content : 'none',
      focusRing: getComputedStyle(summary).outlineStyle !== 'none'
        && parseFloat(getComputedStyle(summary).outlineWidth) >= 2,
    };
  }
  return {
    pageWidth: document.documentElement.scrollWidth,
    equations: equations.length,
    wide: wide.length,
    wideWithoutScroll: wide.filter(
      box => !['auto', 'scroll'].includes(getComputedStyle(box).overflowX)).length,
    inlineClipped: inline.filter(
      box => !['auto', 'scroll'].includes(getComputedStyle(box).overflowX))
      .map(box => box.textContent.slice(0, 40)),
    wideWithoutCue: wide.filter(
      box => !getComputedStyle(box).backgroundImage.includes('gradient')).length,
    quiz,
  };
}
