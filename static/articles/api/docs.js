// Swagger UI for the API's documentation page (templates/api/docs.html): set up here rather
// than in an inline script, which the Content-Security-Policy refuses.
const container = document.getElementById("swagger-ui");

window.SwaggerUIBundle({
  url: container.dataset.schemaUrl,
  domNode: container,
  presets: [window.SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  ...JSON.parse(container.dataset.settings),
});
