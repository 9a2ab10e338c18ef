// The image library in the article body editor's figure dialog.
//
// django-prose-editor builds its "Insert figure" dialog on demand (a <dialog> holding
// input[name=imageUrl], input[name=altText] and input[name=caption]). When one appears, this
// module adds a search box and thumbnails from the library below the URL field; picking a
// thumbnail fills the URL, the alternative text and the caption. A file chosen in its upload
// field goes into the library (the server checks it as any upload) and is then picked; a
// refused file shows the server's reason. The addresses come from the editor textarea's
// data-image-library-url and data-image-upload-url (set by articles.editor.body_widget).
// No dependencies, nothing from outside the site.

const SEARCH_DELAY_MS = 250;
// Django's JavaScript catalog (the admin's /admin/jsi18n/, loaded before this module) speaks the
// admin's language; the strings are the Chinese source, locale/en/LC_MESSAGES/djangojs.po has
// the English.
const gettext = window.gettext || ((text) => text);
const interpolate = window.interpolate || ((format, values) =>
  format.replace(/%\((\w+)\)s/g, (_, key) => values[key]));
const TEXT = {
  search: gettext("搜索图片库"),
  placeholder: gettext("按替代文本、图注、来源搜索…"),
  loading: gettext("正在加载图片库…"),
  empty: gettext("图片库中没有匹配的图片。"),
  failed: gettext("图片库加载失败。"),
  forbidden: gettext("没有查看图片库的权限。"),
  pick: gettext("使用这张图片：%(label)s"),
  list: gettext("图片库"),
  upload: gettext("上传新图片"),
  uploading: gettext("正在上传…"),
  uploaded: gettext("已存入图片库并选中，请填写替代文本。"),
  reused: gettext("图片库中已有这张图片，已选中。"),
  uploadFailed: gettext("上传失败，请重试。"),
  refused: gettext("未能上传："),
};

function h(tag, props = {}, children = []) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name in element && !name.includes("-")) element[name] = value;
    else element.setAttribute(name, value);
  }
  element.append(...children);
  return element;
}

function textareaFor(dialog) {
  // The dialog is appended inside the editor's wrapper, next to the (hidden) textarea.
  for (let element = dialog.parentElement; element; element = element.parentElement) {
    const textarea = element.querySelector("textarea[data-image-library-url]");
    if (textarea) return textarea;
  }
  return null;
}

function csrfToken() {
  // The admin form's own token (the CSRF cookie is not readable from scripts).
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

function setValue(input, value) {
  if (!input) return;
  input.value = value || "";
  input.dispatchEvent(new Event("input", { bubbles: true }));
  input.dispatchEvent(new Event("change", { bubbles: true }));
}

function enhance(urlInput) {
  const dialog = urlInput.closest("dialog");
  if (!dialog || urlInput.dataset.imageLibrary) return;
  const textarea = textareaFor(dialog);
  if (!textarea) return;
  const libraryUrl = textarea.dataset.imageLibraryUrl;
  const uploadUrl = textarea.dataset.imageUploadUrl;
  urlInput.dataset.imageLibrary = "on";

  const form = urlInput.form || dialog;
  const field = (name) => form.querySelector(`[name="${name}"]`);
  const search = h("input", {
    type: "search",
    className: "image-library-search",
    placeholder: TEXT.placeholder,
    "aria-label": TEXT.search,
    autocomplete: "off",
  });
  const status = h("p", { className: "image-library-status", "aria-live": "polite" });
  const list = h("ul", { className: "image-library-list", "aria-label": TEXT.list });
  const panel = h("div", { className: "image-library" }, [search, status, list]);
  (urlInput.closest(".prose-editor-dialog-field") || urlInput).after(panel);
  if (uploadUrl) panel.prepend(uploadField());

  let pending = null;
  let timer = null;

  function choose(image, button) {
    setValue(urlInput, image.url);
    setValue(field("altText"), image.alt);
    setValue(field("caption"), image.caption);
    for (const other of list.querySelectorAll("button[aria-pressed]")) {
      other.setAttribute("aria-pressed", String(other === button));
    }
  }

  function uploadField() {
    const file = h("input", {
      type: "file",
      className: "image-library-file",
      accept: textarea.dataset.imageUploadAccept || "image/*",
    });
    file.addEventListener("change", () => {
      if (file.files.length) upload(file.files[0]).finally(() => { file.value = ""; });
    });
    return h("label", { className: "image-library-upload" }, [h("span", {}, [TEXT.upload]), file]);
  }

  async function upload(chosen) {
    pending?.abort(); // a library search answering later must not replace the new picture
    const body = new FormData();
    body.append("file", chosen);
    status.classList.remove("image-library-status--error");
    status.textContent = TEXT.uploading;
    let response;
    let answer = {};
    try {
      response = await fetch(uploadUrl, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
      });
      answer = await response.json().catch(() => ({}));
    } catch {
      response = null;
    }
    if (!response || !response.ok || !answer.image) {
      status.classList.add("image-library-status--error");
      status.textContent = answer.error ? `${TEXT.refused}${answer.error}` : TEXT.uploadFailed;
      return;
    }
    search.value = "";
    const button = show([answer.image, ...shown.filter((image) => image.id !== answer.image.id)])[0];
    choose(answer.image, button);
    status.textContent = answer.created ? TEXT.uploaded : TEXT.reused;
    if (!answer.image.alt) field("altText")?.focus();
  }

  let shown = [];

  function show(images) {
    shown = images;
    const buttons = [];
    list.replaceChildren(
      ...images.map((image) => {
        const thumb = h("img", {
          src: image.url,
          alt: image.alt || "",
          loading: "lazy",
          referrerPolicy: "no-referrer",
        });
        if (image.width && image.height) {
          thumb.width = image.width;
          thumb.height = image.height;
        }
        const label = image.alt || image.caption || image.url;
        const button = h("button", {
          type: "button",
          className: "image-library-item",
          title: interpolate(TEXT.pick, { label }, true),
          "aria-pressed": "false",
          "data-image-id": String(image.id),
        }, [thumb]);
        button.addEventListener("click", (event) => {
          event.preventDefault();
          choose(image, button);
        });
        buttons.push(button);
        return h("li", {}, [button]);
      }),
    );
    status.classList.remove("image-library-status--error");
    status.textContent = images.length ? "" : TEXT.empty;
    return buttons;
  }

  async function load() {
    pending?.abort();
    pending = new AbortController();
    const url = new URL(libraryUrl, window.location.href);
    const query = search.value.trim();
    if (query) url.searchParams.set("q", query);
    status.textContent = TEXT.loading;
    try {
      const response = await fetch(url, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: pending.signal,
      });
      if (!response.ok) {
        status.textContent = response.status === 403 ? TEXT.forbidden : TEXT.failed;
        list.replaceChildren();
        return;
      }
      show((await response.json()).images || []);
    } catch (error) {
      if (error.name !== "AbortError") status.textContent = TEXT.failed;
    }
  }

  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(load, SEARCH_DELAY_MS);
  });
  search.addEventListener("keydown", (event) => {
    // Enter searches; it must not submit (and so close) the dialog.
    if (event.key === "Enter") {
      event.preventDefault();
      clearTimeout(timer);
      load();
    }
  });
  dialog.addEventListener("close", () => pending?.abort());
  load();
}

function scan(root) {
  if (!(root instanceof Element)) return;
  if (root.matches("dialog input[name=imageUrl]")) enhance(root);
  for (const input of root.querySelectorAll("dialog input[name=imageUrl]")) enhance(input);
}

new MutationObserver((mutations) => {
  for (const mutation of mutations) {
    if (mutation.type === "attributes") scan(mutation.target);
    for (const node of mutation.addedNodes) scan(node);
  }
}).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ["open"] });
scan(document.body);
