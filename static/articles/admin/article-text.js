// Plain text of a body, as articles/text.py reads it, for the editor's live count and the share
// preview: the same block breaks, the same joining of Chinese and Latin lines, the same
// sentence-end cut. The numbers (reading speed, lengths) come from the page, never from here.

const BLOCK_END = /<\/(p|h[1-6]|li|blockquote|pre|figcaption|tr|td|th|dd|dt)>|<br\s*\/?>/gi;
const CJK_END = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]$/;
const SENTENCE_END = /(?:[。！？]|[.!?](?=\s|$))[”’」』）)"']*/g;

/** The readable text of `html` (text.plain_text): no tags, one space between Latin blocks. */
export function plainText(html) {
  // A parsed document that is never shown: nothing in it loads or runs.
  const doc = new DOMParser().parseFromString((html || "").replace(BLOCK_END, "\n"), "text/html");
  let text = "";
  for (const raw of (doc.body.textContent || "").split("\n")) {
    const line = raw.split(/\s+/).filter(Boolean).join(" ");
    if (line) text += !text || CJK_END.test(text) ? line : ` ${line}`;
  }
  return text;
}

/** {hanzi, words, minutes} of `text` by `rule` (text.reading_rule(): patterns and speeds). */
export function readingStats(text, rule) {
  const hanzi = (text.match(new RegExp(rule.hanzi, "g")) || []).length;
  const words = (text.match(new RegExp(rule.latinWord, "g")) || []).length;
  const minutes = Math.max(1, Math.ceil(hanzi / rule.hanziPerMinute + words / rule.latinWordsPerMinute));
  return { hanzi, words, minutes };
}

/** `text` in at most `length` characters, ending on a late sentence end (text.sentence_excerpt). */
export function sentenceExcerpt(text, length, cutFrom) {
  text = (text || "").split(/\s+/).filter(Boolean).join(" ");
  const chars = Array.from(text);
  if (chars.length <= length) return text;
  const allowance = chars.slice(0, length + 1).join("");
  let last = 0;
  for (const match of allowance.matchAll(SENTENCE_END)) {
    const end = Array.from(allowance.slice(0, match.index + match[0].length)).length;
    if (end <= length) last = end;
  }
  if (last && last >= length * cutFrom) return chars.slice(0, last).join("").trimEnd();
  let cut = chars.slice(0, length - 1).join("");
  const next = chars[length - 1];
  if (/^[A-Za-z0-9]$/.test(next) && chars.slice(Math.floor(length * cutFrom), length - 1).includes(" ")) {
    cut = cut.slice(0, cut.lastIndexOf(" "));
  }
  return `${cut.replace(/[ ,;:，、；：]+$/, "")}…`;
}

/** A %(name)s template (as gettext writes them on the server) filled with `values`. */
export function interpolate(template, values) {
  return template.replace(/%\((\w+)\)s/g, (whole, name) => (name in values ? String(values[name]) : whole));
}
