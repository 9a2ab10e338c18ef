"""Categories in the admin are named by their path (新媒体 › 36kr › 快讯): in the autocomplete, in
the chosen options and in the list's filter; the filter sidebar offers only the categories and
tags of the articles the person can see, in a number of queries that does not grow."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Category
from articles.navigation import categories_by_path
from articles.permissions import EDITOR_GROUP, WRITER_GROUP
from articles.tests.factories import make_article, make_category_path, make_staff

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_article_changelist")
AUTOCOMPLETE = reverse("admin:autocomplete")


@pytest.fixture
def flash():
    return make_category_path("新媒体", "36kr", "快讯")


@pytest.fixture
def writer():
    return make_staff("writer", WRITER_GROUP)


@pytest.fixture
def editor():
    return make_staff("editor", EDITOR_GROUP)


def filter_choices(client, parameter):
    """The (label, query string) choices of one filter of the article list, "all" left out."""
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    for spec in response.context["cl"].filter_specs:
        if getattr(spec, "parameter_name", None) == parameter:
            return [
                (str(choice["display"]), choice["query_string"]) for choice in spec.choices(response.context["cl"])
            ][1:]
    raise AssertionError(f"no filter {parameter}")


def filter_labels(client, parameter):
    return [label for label, _query in filter_choices(client, parameter)]


# --- The path as a name ------------------------------------------------------------------------


def test_a_category_is_named_by_its_path(flash):
    assert flash.display_path == "新媒体 › 36kr › 快讯"
    assert str(flash) == "新媒体 › 36kr › 快讯"
    assert str(flash.parent.parent) == "新媒体"


def test_the_path_follows_a_renamed_ancestor(flash):
    root = Category.objects.get(name="新媒体")
    root.name = "媒体"
    root.save()
    assert Category.objects.get(pk=flash.pk).display_path == "媒体 › 36kr › 快讯"


def test_naming_categories_from_the_kept_tree_costs_no_query(flash, django_assert_num_queries):
    make_category_path("科技", "芯片")
    categories_by_path()  # kept once a content version, as reader pages keep it
    categories = list(Category.objects.all())
    with django_assert_num_queries(0):
        names = [category.display_path for category in categories]
    # In the tree's order, by path: pinyin (ke-ji before xin-mei-ti).
    assert names == ["科技", "科技 › 芯片", "新媒体", "新媒体 › 36kr", "新媒体 › 36kr › 快讯"]


def test_public_pages_still_show_the_name_alone(client, flash):
    make_article("快讯一则", categories=[flash])
    html = client.get(flash.get_absolute_url()).content.decode()
    assert "快讯" in html and "新媒体 › 36kr › 快讯" not in html


# --- Picking categories: autocomplete and chosen options ---------------------------------------


def test_the_category_autocomplete_offers_paths(client, writer, flash):
    make_category_path("科技", "快讯")
    client.force_login(writer)
    response = client.get(
        AUTOCOMPLETE,
        {"app_label": "articles", "model_name": "article", "field_name": "categories", "term": "快讯"},
    )
    assert response.status_code == 200
    texts = [result["text"] for result in json.loads(response.content)["results"]]
    # Two categories called 快讯, told apart by their paths.
    assert texts == ["科技 › 快讯", "新媒体 › 36kr › 快讯"]


def test_the_parent_autocomplete_offers_paths(admin_client, flash):
    response = admin_client.get(
        AUTOCOMPLETE,
        {"app_label": "articles", "model_name": "category", "field_name": "parent", "term": "36"},
    )
    texts = [result["text"] for result in json.loads(response.content)["results"]]
    assert texts == ["新媒体 › 36kr", "新媒体 › 36kr › 快讯"]


def test_the_chosen_categories_show_their_paths(client, writer, flash):
    article = make_article("周报", published=False, created_by=writer, categories=[flash])
    client.force_login(writer)
    html = client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert f'<option value="{flash.pk}" selected>新媒体 › 36kr › 快讯</option>' in html


# --- The list's filters: only what the person's articles use ------------------------------------


def test_the_writer_filters_by_the_categories_of_their_own_articles(client, writer, flash):
    make_article("别人的文章", categories=[make_category_path("科技", "芯片")])
    make_category_path("体育")  # used by no article
    make_article("我的文章", published=False, created_by=writer, categories=[flash])
    client.force_login(writer)
    # With the categories above them: choosing 新媒体 lists its whole subtree.
    assert filter_labels(client, "category") == ["新媒体", "新媒体 › 36kr", "新媒体 › 36kr › 快讯"]


def test_the_editor_filters_by_every_category_in_use(client, editor, flash):
    make_article("别人的文章", categories=[make_category_path("科技", "芯片")])
    make_category_path("体育")
    make_article("一篇", categories=[flash])
    client.force_login(editor)
    assert filter_labels(client, "category") == [
        "科技", "科技 › 芯片", "新媒体", "新媒体 › 36kr", "新媒体 › 36kr › 快讯",
    ]  # fmt: skip


def test_a_path_choice_lists_its_subtree(client, editor, flash):
    make_article("快讯文章", categories=[flash])
    make_article("科技文章", categories=[make_category_path("科技")])
    client.force_login(editor)
    query = dict(filter_choices(client, "category"))["新媒体"]
    titles = [article.title for article in client.get(CHANGELIST + query).context["cl"].result_list]
    assert titles == ["快讯文章"]


def test_the_writer_filters_by_the_tags_of_their_own_articles(client, writer):
    make_article("别人的文章", tags=["芯片", "融资"])
    make_article("我的文章", published=False, created_by=writer, tags=["快讯", "融资"])
    client.force_login(writer)
    assert sorted(filter_labels(client, "tag")) == ["快讯", "融资"]


def test_the_editor_filters_by_every_tag_in_use(client, editor):
    make_article("一篇", tags=["芯片", "融资"])
    make_article("另一篇", tags=["融资"])
    client.force_login(editor)
    assert filter_labels(client, "tag") == ["融资", "芯片"]  # most used first


def changelist_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(CHANGELIST).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["writer", "editor"])
def test_the_filters_cost_the_same_whatever_the_number_of_categories_and_tags(client, role, request):
    person = request.getfixturevalue(role)
    client.force_login(person)

    def file_articles(prefix, count):
        for n in range(count):
            leaf = make_category_path(f"{prefix}根{n}", f"{prefix}枝{n}")
            make_article(published=False, created_by=person, categories=[leaf], tags=[f"{prefix}标签{n}"])

    file_articles("甲", 2)
    changelist_queries(client)  # the first list keeps the category tree
    few = changelist_queries(client)
    file_articles("乙", 12)
    changelist_queries(client)
    many = changelist_queries(client)
    assert few == many
    assert len(filter_labels(client, "category")) == 28 and len(filter_labels(client, "tag")) == 14
