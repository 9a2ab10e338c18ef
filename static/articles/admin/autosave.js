// Work is never lost in the article form: what the person types is kept on the server while they
// type (autosave), and leaving the page with unsaved edits asks first.
//
// Settings come from #article-autosave (templates/admin/articles/article/autosave.html):
//   data-autosave-url      where the form's fields are posted to be kept (articles.autosave)
//   data-autosave-seconds  how often to look for changes and keep them (0: never; leaving
//                          with unsaved edits still asks)
//   data-autosave-form-id  the id of the form
//   data-autosave-unsaved  present when the form opens with edits that are not saved yet
//                          (restored from an autosave, or sent back by a refused save)
//   data-saved-text, data-failed-text, data-offline-text   the status messages, translated
//
// Changes are found by comparing the form's serialised fields, not by listening for events: the
// rich-text editor writes its HTML into the body's textarea, and the autocomplete and date
// widgets change fields without the browser's own input events; one comparison covers them all.
// Submitting the form (any button, also those outside it with form="…") never asks.

// Not typed content: the CSRF token, and the admin's own controls ("_continue", the workflow
// buttons' "_workflow…" inputs that belong to the form from outside it).
const isContent = (name) => name !== "csrfmiddlewaretoken" && !name.startsWith("_");
// A request with `keepalive` (sent while the page goes away) may carry at most 64 KiB.
const KEEPALIVE_LIMIT = 60 * 1024;

// The form's fields as the server is sent them: the typed content and the CSRF token.
function fieldsOf(form) {
  const fields = new URLSearchParams();
  for (const [name, value] of new FormData(form)) {
    if (typeof value === "string" && (isContent(name) || name === "csrfmiddlewaretoken")) fields.append(name, value);
  }
  return fields;
}

// What is compared to find changes: the typed content only.
function contentOf(fields) {
  const content = new URLSearchParams();
  for (const [name, value] of fields) if (isContent(name)) content.append(name, value);
  return content.toString();
}

function init() {
  const settings = document.getElementById("article-autosave");
  if (!settings || settings.dataset.autosaveStarted) return;
  const form = document.getElementById(settings.dataset.autosaveFormId);
  if (!form) return;
  settings.dataset.autosaveStarted = "on";

  const status = settings.querySelector(".article-autosave__status");
  const seconds = Number.parseFloat(settings.dataset.autosaveSeconds) || 0;
  // The content as the article holds it: anything else is unsaved.
  const stored = "autosaveUnsaved" in settings.dataset ? null : contentOf(fieldsOf(form));
  let kept = contentOf(fieldsOf(form)); // the content the server last kept (or the page brought)
  let submitting = false;
  let sending = false;
  let stopped = false;

  const say = (text) => {
    if (status) status.textContent = text;
  };
  const failed = (reason) => say((settings.dataset.failedText || "{reason}").replace("{reason}", reason));

  async function keep({ keepalive = false } = {}) {
    if (submitting || sending || stopped) return;
    const fields = fieldsOf(form);
    const content = contentOf(fields);
    if (content === kept) return;
    const body = fields.toString();
    sending = true;
    try {
      const response = await fetch(settings.dataset.autosaveUrl, {
        method: "POST",
        body: fields,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        keepalive: keepalive && body.length < KEEPALIVE_LIMIT,
      });
      const answer = (response.headers.get("Content-Type") || "").includes("json") ? await response.json() : {};
      if (response.ok && answer.saved_at) {
        kept = content;
        say((settings.dataset.savedText || "{time}").replace("{time}", answer.saved_at_display));
      } else if (response.status === 400 || response.status === 413) {
        kept = content; // this content will not be kept; try again once it changes
        failed(answer.error || response.statusText);
      } else if (response.status === 403 || response.status === 404) {
        stopped = true; // no longer this person's to change: stop asking
        failed(answer.error || response.statusText);
      } else {
        failed(answer.error || response.statusText); // logged out, or a server error: try again
      }
    } catch (error) {
      say(settings.dataset.offlineText || "");
    } finally {
      sending = false;
    }
  }

  const unsaved = () => stored === null || contentOf(fieldsOf(form)) !== stored;

  if (seconds > 0) {
    setInterval(keep, seconds * 1000);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") keep({ keepalive: true });
    });
  }

  // On the window, so that it runs after the form's own listeners: a submit one of them
  // cancels (a failed check) still counts as leaving unsaved.
  window.addEventListener("submit", (event) => {
    if (event.target === form && !event.defaultPrevented) submitting = true;
  });
  window.addEventListener("beforeunload", (event) => {
    if (submitting || !unsaved()) return;
    event.preventDefault();
    event.returnValue = ""; // older browsers ask only when this is set
  });
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
