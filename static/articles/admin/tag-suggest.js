// Completions for the article form's comma-separated tag input (#id_tags).
//
// The last comma-separated token is looked up at the admin's tag-suggestion address (the
// input's data-suggest-url); matching tag names, most used first, appear in a list under the
// input. ArrowDown/ArrowUp move through it, Enter or a click replaces the last token with the
// chosen name and appends ", ", Escape closes it. (A <datalist> would complete only the whole
// value, not its last token.) No dependencies, nothing from outside the site.

const DELAY_MS = 200;

function lastToken(value) {
  const cut = value.lastIndexOf(",");
  return value.slice(cut + 1).trim();
}

function init() {
  const input = document.getElementById("id_tags");
  if (!input || !input.dataset.suggestUrl || input.dataset.tagSuggest) return;
  input.dataset.tagSuggest = "on";

  const wrapper = document.createElement("span");
  wrapper.className = "tag-suggest";
  input.parentNode.insertBefore(wrapper, input);
  wrapper.append(input);
  const list = document.createElement("ul");
  list.className = "tag-suggest-list";
  list.id = "id_tags_suggestions";
  list.setAttribute("role", "listbox");
  list.hidden = true;
  wrapper.append(list);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("autocomplete", "off");

  let active = -1;
  let timer = null;
  let request = 0;
  const options = () => Array.from(list.children);

  function close() {
    list.hidden = true;
    list.replaceChildren();
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    const items = options();
    if (!items.length) return;
    active = (index + items.length) % items.length;
    items.forEach((item, i) => item.setAttribute("aria-selected", String(i === active)));
    input.setAttribute("aria-activedescendant", items[active].id);
    items[active].scrollIntoView({ block: "nearest" });
  }

  function choose(name) {
    const value = input.value;
    const cut = value.lastIndexOf(",");
    // Everything up to and including the last comma stays; the token after it is replaced.
    const head = cut >= 0 ? value.slice(0, cut + 1) + " " : "";
    input.value = head + name + ", ";
    close();
    input.focus();
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function show(names) {
    list.replaceChildren();
    active = -1;
    names.forEach((name, i) => {
      const item = document.createElement("li");
      item.id = `${list.id}_${i}`;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.textContent = name;
      // mousedown, not click: the input keeps its focus.
      item.addEventListener("mousedown", (event) => {
        event.preventDefault();
        choose(name);
      });
      list.append(item);
    });
    list.hidden = names.length === 0;
    input.setAttribute("aria-expanded", String(names.length > 0));
  }

  async function suggest() {
    const mine = ++request;
    const query = lastToken(input.value);
    if (!query) {
      close();
      return;
    }
    const url = new URL(input.dataset.suggestUrl, window.location.href);
    url.searchParams.set("q", query);
    try {
      const response = await fetch(url, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok || mine !== request) return;
      const data = await response.json();
      if (mine !== request) return;
      const already = new Set(
        input.value.split(",").slice(0, -1).map((tag) => tag.trim().toLowerCase())
      );
      show((data.tags || []).filter((name) => !already.has(name.toLowerCase())));
    } catch (error) {
      close();
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, DELAY_MS);
  });
  input.addEventListener("keydown", (event) => {
    if (list.hidden) {
      if (event.key === "ArrowDown" && lastToken(input.value)) {
        event.preventDefault();
        suggest();
      }
      return;
    }
    if (event.key === "ArrowDown") {
      event.preventDefault();
      highlight(active + 1);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      highlight(active - 1);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault(); // choose, do not submit the form
      choose(options()[active].textContent);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
