"""Reading legacy files into LegacyRecords: encodings, fences, YAML errors. No database."""
import hashlib
from pathlib import Path

import pytest

from articles.importing.frontmatter import LegacyFileError, read_legacy_file, split_front_matter

DATA = Path(__file__).parent / "data"

SEED_LIKE_HEADER = (
    "\n---\n"
    "title: '青禾物流发布城配新方案'\n"
    "categories: \n"
    " - 新媒体\n"
    " - 36kr\n"
    " - 资讯\n"
    "author: 36kr\n"
    "comments: false\n"
    "date: Wed, 08 May 2024 02:10:30 GMT\n"
    "---\n"
    "\n"
)
BODY = "<div>   \n<p>青禾物流表示，新方案先在两座城市试点。</p> \n</div>\n"


def write(tmp_path, name, content):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def read(tmp_path, name, content):
    return read_legacy_file(write(tmp_path, name, content), tmp_path)


def test_seed_shaped_fixture_is_read_with_its_blank_first_line():
    path = DATA / "seed_like.md"
    assert path.read_bytes().startswith(b"\n---\n")
    record = read_legacy_file(path, DATA)
    assert record.relative_path == "seed_like.md"
    assert record.metadata["title"] == "青禾物流发布城配新方案，试点城市夜间配送时效缩短两成"
    assert record.metadata["categories"] == ["新媒体", "36kr", "资讯"]
    assert record.metadata["comments"] is False
    assert record.metadata["date"] == "Wed, 08 May 2024 02:10:30 GMT"  # not a YAML timestamp
    assert record.body.startswith("<div>")
    assert record.body.endswith("</div>")
    assert record.warnings == []


def test_blank_first_line_is_tolerated(tmp_path):
    record = read(tmp_path, "a.md", SEED_LIKE_HEADER + BODY)
    assert record.metadata["title"] == "青禾物流发布城配新方案"
    assert record.body == BODY.strip()


def test_several_blank_lines_before_the_fence_are_tolerated(tmp_path):
    record = read(tmp_path, "a.md", "\n \n\n" + SEED_LIKE_HEADER + BODY)
    assert record.metadata["author"] == "36kr"


def test_utf8_bom_is_stripped(tmp_path):
    record = read(tmp_path, "a.md", b"\xef\xbb\xbf" + (SEED_LIKE_HEADER + BODY).encode("utf-8"))
    assert record.metadata["title"] == "青禾物流发布城配新方案"
    assert "\ufeff" not in record.body
    assert record.warnings == []


def test_bom_directly_before_the_fence(tmp_path):
    record = read(tmp_path, "a.md", b"\xef\xbb\xbf---\ntitle: x\n---\nbody\n")
    assert record.metadata == {"title": "x"}


def test_crlf_line_ends_are_normalised(tmp_path):
    text = (SEED_LIKE_HEADER + BODY).replace("\n", "\r\n")
    record = read(tmp_path, "a.md", text)
    assert record.metadata["categories"] == ["新媒体", "36kr", "资讯"]
    assert record.metadata["date"] == "Wed, 08 May 2024 02:10:30 GMT"
    assert "\r" not in record.body
    assert record.body == BODY.strip()


def test_gb18030_file_is_decoded_with_a_warning(tmp_path):
    raw = (SEED_LIKE_HEADER + BODY).encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    record = read(tmp_path, "a.md", raw)
    assert record.metadata["title"] == "青禾物流发布城配新方案"
    assert "两座城市" in record.body
    assert any("GB18030" in warning for warning in record.warnings)


def test_binary_file_with_nul_bytes_is_refused(tmp_path):
    with pytest.raises(LegacyFileError, match="binary"):
        read(tmp_path, "a.md", b"---\ntitle: x\n---\n\x00\x01\x02\x89PNG")


def test_file_without_front_matter(tmp_path):
    with pytest.raises(LegacyFileError, match="no front matter"):
        read(tmp_path, "a.md", "# 只是一篇笔记\n\n没有 front matter。\n")


def test_empty_file_has_no_front_matter(tmp_path):
    with pytest.raises(LegacyFileError, match="no front matter"):
        read(tmp_path, "a.md", "\n\n")


def test_unclosed_fence(tmp_path):
    with pytest.raises(LegacyFileError, match="not closed"):
        read(tmp_path, "a.md", "\n---\ntitle: 'x'\ndate: 2024-05-08\n\n<p>正文</p>\n")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        # the broken value is on line 5 of the file (after the blank first line and the fence)
        ("\n---\ntitle: 'x'\nauthor: 36kr\ndate: : :\n---\nbody\n", 5),
        # without a blank first line, the same line is line 4
        ("---\ntitle: 'x'\nauthor: 36kr\ndate: : :\n---\nbody\n", 4),
        # a blank line inside the front matter still counts
        ("---\n\ntitle: 'x'\nbad: : :\n---\nbody\n", 4),
        # CRLF files are counted the same way
        ("\r\n---\r\ntitle: 'x'\r\nbad: [1, 2\r\nauthor: y\r\n---\r\nbody\r\n", 5),
    ],
)
def test_invalid_yaml_names_the_line(tmp_path, text, line):
    with pytest.raises(LegacyFileError, match=f"not valid YAML at line {line}:"):
        read(tmp_path, "a.md", text)


_constructed = []


def _record_construction(*args):
    _constructed.append(args)
    return "constructed"


def test_python_object_tags_are_refused_without_constructing_anything(tmp_path):
    text = (
        "---\n"
        "title: x\n"
        f"evil: !!python/object/apply:{__name__}._record_construction [boom]\n"
        "---\n"
        "body\n"
    )
    with pytest.raises(LegacyFileError, match="not valid YAML at line 3") as error:
        read(tmp_path, "a.md", text)
    assert "python/object" in str(error.value)
    assert _constructed == []


@pytest.mark.parametrize(
    ("front_matter", "kind"),
    [("- a\n- b\n", "list"), ("just a sentence\n", "str"), ("42\n", "int")],
)
def test_front_matter_must_be_a_mapping(front_matter, kind):
    with pytest.raises(LegacyFileError, match=f"must be a mapping.*not {kind}"):
        split_front_matter(f"---\n{front_matter}---\nbody\n")


def test_empty_front_matter_is_an_empty_mapping():
    assert split_front_matter("---\n---\nbody\n") == ({}, "body")


def test_relative_path_is_relative_to_the_root(tmp_path):
    path = write(tmp_path, "2024/05/青禾.md", SEED_LIKE_HEADER + BODY)
    assert read_legacy_file(path, tmp_path).relative_path == "2024/05/青禾.md"
    assert read_legacy_file(path, tmp_path / "2024").relative_path == "05/青禾.md"
    assert read_legacy_file(path, path.parent).relative_path == "青禾.md"


def test_content_hash_is_the_sha256_of_the_bytes_and_stable(tmp_path):
    path = write(tmp_path, "a.md", SEED_LIKE_HEADER + BODY)
    first = read_legacy_file(path, tmp_path).content_hash
    assert first == hashlib.sha256(path.read_bytes()).hexdigest()
    assert read_legacy_file(path, tmp_path).content_hash == first
    write(tmp_path, "b.md", SEED_LIKE_HEADER + BODY)
    assert read_legacy_file(tmp_path / "b.md", tmp_path).content_hash == first
    path.write_text(SEED_LIKE_HEADER + BODY + "<p>补充</p>\n", encoding="utf-8")
    assert read_legacy_file(path, tmp_path).content_hash != first
