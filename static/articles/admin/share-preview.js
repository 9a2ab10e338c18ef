// The search-result and share-card preview beside the article form (articles.share_preview),
// kept current as the person types: the title (or its SEO override), the description (the SEO
// description, else the summary, else the body's opening cut on a sentence end), the address's
// slug and the hero image's share card. The server rendered the first state exactly; this
// follows the fields by the same rules, with the lengths the panel's data attributes give.

import { plainText, sentenceExcerpt } from "./article-text.js";

const collapse = (text) => (text || "").split(/\s+/).filter(Boolean).join(" ");

function attach(panel) {
  const form = panel.closest("form");
  if (!form) return;
  const field = (name) => form.querySelector(`[name="${name}"]`);
  const shown = (name) => panel.querySelectorAll(`[data-preview="${name}"]`);
  const data = panel.dataset;
  const length = Number(data.descriptionLength);
  const cutFrom = Number(data.sentenceCutFrom);
  const value = (name) => field(name)?.value ?? "";

  function update() {
    const title = collapse(value("seo_title")) || value("title").trim();
    const pageTitle = [title, data.siteName].filter(Boolean).join(data.titleSeparator);
    const description =
      collapse(value("seo_description")) ||
      sentenceExcerpt(value("summary").trim() || plainText(value("body")), length, cutFrom);
    for (const element of shown("page-title")) element.textContent = pageTitle;
    for (const element of shown("title")) element.textContent = title;
    for (const element of shown("description")) element.textContent = description;
    if (field("slug")) for (const element of shown("slug")) element.textContent = value("slug").trim();
  }

  let asked = null;
  async function showHeroImage() {
    const id = value("hero_image");
    const [image] = shown("image");
    const [none] = shown("no-image");
    asked?.abort();
    if (!id || !data.libraryUrl) {
      image.hidden = true;
      image.removeAttribute("src");
      none.hidden = false;
      return;
    }
    asked = new AbortController();
    const url = new URL(data.libraryUrl, window.location.href);
    url.searchParams.set("id", id);
    try {
      const response = await fetch(url, { credentials: "same-origin", signal: asked.signal });
      const [row] = response.ok ? (await response.json()).images : [];
      if (!row) return;
      image.src = row.card || row.url;
      image.alt = row.alt || "";
      image.hidden = false;
      none.hidden = true;
    } catch (error) {
      if (error.name !== "AbortError") throw error;
    }
  }

  for (const name of ["title", "seo_title", "summary", "seo_description", "body", "slug"]) {
    field(name)?.addEventListener("input", update);
  }
  // The slug prefilled from the title (slug-from-title.js) arrives as a change.
  field("slug")?.addEventListener("change", update);
  const hero = field("hero_image");
  if (hero) {
    // The admin's autocomplete (select2) announces a choice through jQuery only.
    const jQuery = window.django?.jQuery;
    if (jQuery) jQuery(hero).on("change", showHeroImage);
    else hero.addEventListener("change", showHeroImage);
  }
}

for (const panel of document.querySelectorAll("[data-share-preview]")) attach(panel);
