// The character count and reading time under the article body editor, kept current as the
// person types.
//
// The editor writes its HTML back into the body textarea on every change (and says so with an
// "input" event); this reads it from there. The rule is the public page's (articles.text.
// reading_minutes), given by the textarea: data-reading-rule holds its patterns and speeds,
// data-body-stats-text the sentence to show. "字数" counts Chinese characters and Latin words,
// as Chinese newsrooms count.

import { interpolate, plainText, readingStats } from "./article-text.js";

function attach(textarea) {
  if (textarea.dataset.bodyStats) return;
  textarea.dataset.bodyStats = "on";
  const rule = JSON.parse(textarea.dataset.readingRule);
  const template = textarea.dataset.bodyStatsText;
  const number = new Intl.NumberFormat(document.documentElement.lang || undefined);
  // A help line as the admin writes them, so that it lines up under the editor.
  const line = document.createElement("div");
  line.className = "help body-stats";
  line.setAttribute("aria-live", "polite");

  function update() {
    const stats = readingStats(plainText(textarea.value), rule);
    line.textContent = interpolate(template, {
      count: number.format(stats.hanzi + stats.words),
      hanzi: number.format(stats.hanzi),
      words: number.format(stats.words),
      minutes: number.format(stats.minutes),
    });
  }

  function place() {
    // Under the editor once it has wrapped the textarea (below the admin's label-and-field
    // row, which lays them side by side), else under the textarea itself.
    const field = textarea.closest(".prose-editor") || textarea;
    (field.closest(".flex-container") || field).after(line);
  }

  let pending = null;
  textarea.addEventListener("input", () => {
    // Counting a long body on every keystroke is wasted work; once a frame is enough.
    if (pending === null) {
      pending = requestAnimationFrame(() => {
        pending = null;
        update();
      });
    }
  });
  document.addEventListener("prose-editor:ready", (event) => {
    if (event.detail?.textarea === textarea) place();
  });
  place();
  update();
}

for (const textarea of document.querySelectorAll("textarea[data-reading-rule]")) attach(textarea);
