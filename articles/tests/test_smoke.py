import pytest

from articles.tests.factories import make_article, make_category_path

pytestmark = pytest.mark.django_db


def test_home_lists_a_published_article(client):
    article = make_article("星河科技发布新芯片", categories=[make_category_path("科技", "芯片", "制造")])
    response = client.get("/")
    assert response.status_code == 200
    assert article.title in response.content.decode()
    detail = client.get(article.get_absolute_url())
    assert detail.status_code == 200
