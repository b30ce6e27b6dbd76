// The book's own behaviour on top of sphinx-book-theme; _config.yml loads it on every page.
// Both parts only add to markup that is already readable without them.

document.addEventListener("DOMContentLoaded", () => {
  // "Check your understanding": an answer is
  //   <details class="quiz-answer"><summary>answer</summary>Right. why</details>
  // (or "Not quite. why"). Put the feedback in a box of its own and mark the verdict, so that
  // book.css can show it with a tick or a cross and an edge of its own, besides the words.
  for (const answer of document.querySelectorAll("details.quiz-answer")) {
    const summary = answer.querySelector(":scope > summary");
    if (!summary || answer.querySelector(":scope > .quiz-feedback")) continue;
    const feedback = document.createElement("div");
    feedback.className = "quiz-feedback";
    while (summary.nextSibling) feedback.append(summary.nextSibling);
    answer.append(feedback);
    const first = feedback.firstChild;
    const found =
      first?.nodeType === Node.TEXT_NODE && /^\s*(Right\.|Not quite\.)/.exec(first.data);
    if (!found) continue;
    answer.dataset.verdict = found[1] === "Right." ? "right" : "wrong";
    const verdict = document.createElement("strong");
    verdict.className = "quiz-verdict";
    verdict.textContent = found[1];
    first.data = first.data.slice(found[0].length);
    feedback.prepend(verdict);
  }

  // Collapsed cells (hide-input, hide-output) say "Show code cell source" but are named
  // "Toggle hidden content" for screen readers, so a voice-control user who says what is
  // written cannot open them (WCAG 2.5.3, label in name). Their visible text names them well.
  for (const toggle of document.querySelectorAll('summary[aria-label="Toggle hidden content"]')) {
    toggle.removeAttribute("aria-label");
  }
});

// An inline formula wider than the whole column (a long equation in a sentence, on a phone)
// would be cut off: the theme clips span.math at the column's width. Mark those, and only
// those, so that book.css lets them scroll; a formula that fits keeps the theme's box.
function markWideInlineMath() {
  for (const box of document.querySelectorAll(".bd-content span.math")) {
    const column = box.parentElement?.clientWidth ?? 0;
    const wide = box.clientWidth >= column - 1 && box.scrollWidth > box.clientWidth + 1;
    box.classList.toggle("math-wide", wide);
  }
}
window.addEventListener("load", () => {
  const typeset = window.MathJax?.startup?.promise ?? Promise.resolve();
  typeset.then(markWideInlineMath);
  window.addEventListener("resize", markWideInlineMath);
});
