"""Messages for front matter that went wrong in the ways real archives show, each with its line.

An indented closing fence, a scaffold's placeholders, and a horizontal rule in the body taken
for a fence. No database.
"""

import pytest

from articles.importing.frontmatter import LegacyFileError, NoFrontMatter, Scaffold, parse_front_matter


def error_of(text):
    with pytest.raises(LegacyFileError) as error:
        parse_front_matter(text)
    return str(error.value)


# --- an indented closing fence ----------------------------------------------------------------------


def test_an_indented_closing_fence_without_another_is_named_with_its_line():
    message = error_of("---\ntitle: 夜间配送\ndate: 2024-05-08\n  ---\n\n正文。\n")
    assert message.startswith("front matter is not closed")
    assert "the '---' on line 4 is indented: a closing '---' must start at the beginning of its line" in message


def test_an_indented_closing_fence_before_a_body_rule_is_named_with_both_lines():
    message = error_of("---\ntitle: 夜间配送\n  ---\n正文第一段。\n\n---\n\n第二段。\n")
    assert "not valid YAML at line" in message
    assert "the '---' on line 3 is indented" in message
    assert "so the front matter ran on to line 6" in message


def test_an_indented_toml_fence_is_named_too():
    message = error_of("+++\ntitle = '夜间配送'\n  +++\n正文。\n")
    assert "the '+++' on line 3 is indented: a closing '+++' must start at the beginning of its line" in message


def test_a_dash_line_inside_a_block_value_is_front_matter_not_a_fence():
    parsed = parse_front_matter("---\ntitle: 夜间配送\nnote: |\n  第一行\n  ---\n  第三行\n---\n正文。\n")
    assert parsed.metadata["note"] == "第一行\n---\n第三行\n"
    assert parsed.warnings == []


# --- scaffolds ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "shown"),
    [
        # Hexo's scaffolds/post.md, as `hexo init` writes it
        ("---\ntitle: {{ title }}\ndate: {{ date }}\ntags:\n---\n", 2, "title: {{ title }}"),
        # quoted, which YAML reads as a title
        ("\n---\ntitle: '{{ title }}'\ndate: 2024-05-08\n---\n正文\n", 3, "title: '{{ title }}'"),
        # Hugo's archetypes/default.md
        (
            '---\ntitle: "{{ replace .Name "-" " " | title }}"\ndate: {{ .Date }}\ndraft: true\n---\n',
            2,
            'title: "{{ replace .Name "-" " " | title }}"',
        ),
        # a TOML archetype
        ("+++\ndraft = true\ntitle = '{{ .Name }}'\n+++\n", 3, "title = '{{ .Name }}'"),
        # a scaffold in the no-prefix form
        ("title: {{ title }}\ndate: {{ date }}\n---\n", 1, "title: {{ title }}"),
    ],
)
def test_a_scaffold_is_no_post_and_its_placeholder_line_is_named(text, line, shown):
    with pytest.raises(Scaffold) as error:
        parse_front_matter(text)
    assert isinstance(error.value, NoFrontMatter)  # skipped by an import, not failed
    assert str(error.value).startswith(f"a scaffold, not a post: line {line} ({shown!r}) is a template placeholder")


def test_braces_inside_a_value_are_not_a_scaffold():
    parsed = parse_front_matter("---\ntitle: 'Vue 的 {{ message }} 插值'\n---\n正文\n")
    assert parsed.metadata["title"] == "Vue 的 {{ message }} 插值"


# --- a body rule taken for a fence --------------------------------------------------------------------


def test_a_no_prefix_header_whose_fence_is_a_body_rule_says_so_with_the_line():
    text = "title: 夜间配送\ndate: 2024-05-08\n\n正文第一段，没有冒号的句子。\n\n---\n\n第二段。\n"
    message = error_of(text)
    assert "not valid YAML at line" in message
    assert (
        "the '---' on line 6 was taken for the end of a front matter without an opening fence (Hexo's "
        "no-prefix form): if it is a horizontal rule in the body"
    ) in message


def test_a_missing_closing_fence_before_a_body_rule_says_so_with_the_line():
    text = "---\ntitle: 夜间配送\ndate: 2024-05-08\n\n正文第一段，没有冒号的句子。\n再一行。\n\n---\n\n第二段。\n"
    message = error_of(text)
    assert (
        "the '---' on line 8 was taken for the closing fence: if it is a horizontal rule in the body, the "
        "front matter's own closing '---' is missing"
    ) in message


def test_a_yaml_error_with_its_fences_in_place_gets_no_fence_hint():
    message = error_of("---\n\ntitle: 'x'\nbad: : :\n---\nbody\n")
    assert message == "front matter is not valid YAML at line 4: mapping values are not allowed in this context"
