// Typesets an article body's math with KaTeX (static/vendor/katex/katex.min.js, which the article
// page loads before this module, and only when the body has math: Article.has_math).
//
// The importer marked the math and kept its TeX as written (articles.importing.markdown_extensions):
// <span class="math inline">\(…\)</span>, and <div> or <span> class="math display" holding \[…\].
// Only those elements are typeset, so text elsewhere that merely looks like a delimiter stays
// text. katex.render builds the formula as DOM nodes whose styles are set from script, which the
// page's Content-Security-Policy allows (it refuses style="" attributes in markup).

const DELIMITERS = { inline: ["\\(", "\\)"], display: ["\\[", "\\]"] };

function typeset(element, katex) {
  const displayMode = element.classList.contains("display");
  const [open, close] = DELIMITERS[displayMode ? "display" : "inline"];
  const text = element.textContent;
  if (!text.startsWith(open) || !text.endsWith(close)) return;
  const tex = text.slice(open.length, text.length - close.length);
  // A formula KaTeX cannot read is shown as its TeX, in the error colour, not thrown.
  katex.render(tex, element, { displayMode, throwOnError: false });
}

const { katex } = window;
if (katex) {
  for (const element of document.querySelectorAll(".article-body .math.inline, .article-body .math.display")) {
    typeset(element, katex);
  }
}
