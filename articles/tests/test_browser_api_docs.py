"""The API's documentation page in real headless Chromium: Swagger UI from our own static files,
under the site's strict Content-Security-Policy, reading the schema and trying an endpoint."""

from articles.tests.browsing import ARTIFACTS, BROWSER_TEST
from articles.tests.factories import make_article, make_category_path
from articles.tests.test_browser_csp import csp_page, violations

pytestmark = BROWSER_TEST


def test_the_api_documentation_renders_and_runs_a_request_without_a_policy_violation(chromium, live_server):
    make_article("文档页试用的文章", categories=[make_category_path("科技")], tags=["接口"])
    context, page = csp_page(chromium, live_server)
    try:
        response = page.goto(live_server.url + "/api/v1/docs/")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        operations = page.locator(".opblock-summary-path")
        operations.first.wait_for()  # the schema was fetched and rendered by Swagger UI
        assert {operations.nth(i).inner_text().replace("\u200b", "") for i in range(operations.count())} == {
            "/api/v1/articles/", "/api/v1/articles/{id}/", "/api/v1/articles/by-path/",
            "/api/v1/categories/", "/api/v1/tags/", "/api/v1/authors/",
        }  # fmt: skip
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "api-docs.png"))

        # Try the article list from the page: the request goes to this site and its answer shows.
        page.locator('.opblock-summary-path[data-path="/api/v1/articles/"]').click()
        page.get_by_role("button", name="Try it out").click()
        page.get_by_role("button", name="Execute").click()
        body = page.locator(".live-responses-table .response-col_description .microlight").first
        body.wait_for()
        assert "文档页试用的文章" in body.inner_text()

        page.screenshot(path=str(ARTIFACTS / "api-docs-response.png"))
        assert violations(page) == []
        assert page.errors == []
        assert page.external_requests == []
    finally:
        context.close()
