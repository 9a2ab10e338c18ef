"""Comparing two revisions in real headless Chromium: every field that changed is listed at the
top and shown old → new, the unchanged ones are folded away until asked for."""

import datetime as dt

import reversion
from django.contrib.auth.models import User
from django.urls import reverse

from articles.tests.browsing import ARTIFACTS, BROWSER_TEST, PASSWORD
from articles.tests.factories import make_article, make_author, make_category_path, make_image

pytestmark = BROWSER_TEST


def save_revision(article, user, **changes):
    with reversion.create_revision():
        for name, value in changes.items():
            setattr(article, name, value)
        article.save()
        reversion.set_user(user)


def test_compare_lists_every_changed_field_and_folds_the_rest(page, live_server):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    chief = User.objects.create_superuser("chief", password=PASSWORD)
    article = make_article(
        "芯片产业周报",
        author=make_author("王芳"),
        categories=[make_category_path("新媒体", "36kr")],
        tags=["芯片"],
        body='<p>第一段。</p><p><img src="https://img.example.com/a.jpg" alt="旧图"></p>',
        published=False,
    )
    save_revision(article, chief)
    article.categories.add(make_category_path("科技", "芯片"))
    article.tags.add("<script>标签</script>")
    save_revision(
        article,
        chief,
        title="芯片产业周报（修订）",
        hero_image=make_image(title="晶圆厂"),
        body='<p>第一段。</p><p><img src="https://img.example.com/b.jpg" alt="旧图"></p>',
        expires_at=dt.datetime(2030, 1, 1, 4, 0, tzinfo=dt.UTC),
    )

    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "chief")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")
    page.goto(live_server.url + reverse("admin:articles_article_compare", args=[article.pk]))

    changed = page.locator(".revision-diff__summary").first
    assert changed.inner_text() == "改动的项：标题、正文、分类、标签、头图、下线时间"
    assert page.locator("#field-categories ins").inner_text() == "科技 › 芯片"
    assert page.locator("#field-tags ins").inner_text() == "<script>标签</script>"
    assert page.locator("#field-expires_at ins").inner_text() == "2030-01-01 12:00"
    assert "正文文字未变" in page.locator("#field-body").inner_text()
    assert page.locator("#field-body ins").last.inner_text() == "图片：https://img.example.com/b.jpg（替代文本：旧图）"
    # The unchanged fields are folded until the editor opens them.
    assert not page.locator("#field-author").is_visible()
    page.locator(".revision-diff__unchanged > summary").click()
    assert page.locator("#field-author").is_visible()
    assert page.locator("#field-author .same").inner_text().strip() == "王芳"
    page.screenshot(path=str(ARTIFACTS / "compare-every-field.png"), full_page=True)
    assert page.errors == [] and page.external_requests == []
