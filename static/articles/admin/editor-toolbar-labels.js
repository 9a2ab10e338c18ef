// The body editor's toolbar in the admin's language.
//
// django-prose-editor translates its dialogs through Django's JavaScript catalog (window.gettext,
// from the admin's /admin/jsi18n/, loaded before the editor), but names its toolbar buttons and
// block-style options in English without asking it. This module renames them: each button's
// title and aria-label, and the text of the block-style options, through the same catalog
// (Chinese source strings; locale/en/LC_MESSAGES/djangojs.po has the English).
// Buttons keep the editor's data-name ("bold", "figure", "link"…), which tests select by.

const gettext = window.gettext || ((text) => text);
const interpolate = window.interpolate || ((format, values) =>
  format.replace(/%\((\w+)\)s/g, (_, key) => values[key]));

// The editor's English names (as it writes them, in titles and options) and ours.
const LABELS = {
  "paragraph": gettext("段落"),
  "Paragraph": gettext("段落"),
  "Code block": gettext("代码块"),
  "unordered list": gettext("无序列表"),
  "ordered list": gettext("有序列表"),
  "blockquote": gettext("引用"),
  "horizontal rule": gettext("分隔线"),
  "figure": gettext("插入图片"),
  "bold": gettext("粗体"),
  "italic": gettext("斜体"),
  "underline": gettext("下划线"),
  "strike": gettext("删除线"),
  "subscript": gettext("下标"),
  "superscript": gettext("上标"),
  "Code": gettext("行内代码"),
  "insert link": gettext("插入链接"),
  "remove link": gettext("移除链接"),
  "Insert table": gettext("插入表格"),
  "Add column": gettext("在右侧添加列"),
  "Delete column": gettext("删除列"),
  "Add row": gettext("在下方添加行"),
  "Delete row": gettext("删除行"),
  "Merge cells": gettext("合并单元格"),
  "Split cell": gettext("拆分单元格"),
  "Toggle header cell": gettext("切换表头单元格"),
  "Delete table": gettext("删除表格"),
  "undo": gettext("撤销"),
  "redo": gettext("重做"),
  "edit HTML": gettext("编辑 HTML"),
};
const HEADING = /^heading (\d)$/i;

function label(english) {
  const text = english.trim();
  if (text in LABELS) return LABELS[text];
  const heading = HEADING.exec(text);
  return heading ? interpolate(gettext("标题 %(level)s"), { level: heading[1] }, true) : null;
}

function relabelButton(button) {
  for (const attribute of ["title", "aria-label"]) {
    const translated = label(button.getAttribute(attribute) || "");
    if (translated) button.setAttribute(attribute, translated);
  }
}

function relabelOption(option) {
  // An option holds one element (<p>, <h2>, <code>…) showing the style by its own look.
  const sample = option.firstElementChild;
  const translated = sample && label(sample.textContent);
  if (translated) sample.textContent = translated;
}

function relabel(node) {
  if (!(node instanceof Element)) return;
  if (node.matches(".prose-menubar__button")) relabelButton(node);
  if (node.matches(".prose-menubar__option")) relabelOption(node);
  node.querySelectorAll(".prose-menubar__button").forEach(relabelButton);
  node.querySelectorAll(".prose-menubar__option").forEach(relabelOption);
}

// The menu bar is built when the editor starts, and the block-style button is replaced by a
// copy of the current style's (in English again) whenever the cursor moves to another style.
new MutationObserver((mutations) => {
  for (const mutation of mutations) mutation.addedNodes.forEach(relabel);
}).observe(document.body, { childList: true, subtree: true });
relabel(document.body);
