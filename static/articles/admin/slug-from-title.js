// The article form's slug, prefilled from the title.
//
// While the slug input is empty, or still holds the value this module last put there (the user
// has not typed one of their own), typing in the title asks the admin for the readable, unique
// slug the article would get (pinyin for Chinese) and fills it in. The address comes from the
// slug input's data-slug-url; on a change page data-slug-pk names the article itself, whose own
// slug does not count as taken. No dependencies, nothing from outside the site.

const DELAY_MS = 300;

function init() {
  const title = document.getElementById("id_title");
  const slug = document.getElementById("id_slug");
  if (!title || !slug || !slug.dataset.slugUrl || slug.dataset.slugFromTitle) return;
  slug.dataset.slugFromTitle = "on";

  let lastFilled = null;
  let timer = null;
  let request = 0;
  const untouched = () => slug.value === "" || slug.value === lastFilled;

  async function fill() {
    const text = title.value.trim();
    if (!untouched()) return;
    const mine = ++request;
    if (!text) {
      if (lastFilled !== null && slug.value === lastFilled) slug.value = "";
      lastFilled = null;
      return;
    }
    const url = new URL(slug.dataset.slugUrl, window.location.href);
    url.searchParams.set("title", text);
    if (slug.dataset.slugPk) url.searchParams.set("pk", slug.dataset.slugPk);
    try {
      const response = await fetch(url, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return;
      const data = await response.json();
      // A later keystroke, or the user's own slug, wins over this answer.
      if (mine !== request || !untouched() || typeof data.slug !== "string") return;
      slug.value = data.slug;
      lastFilled = data.slug;
      slug.dispatchEvent(new Event("change", { bubbles: true }));
    } catch (error) {
      // Offline or refused: the slug is still made from the title when the article is saved.
    }
  }

  title.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(fill, DELAY_MS);
  });
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
