"""The reader views are a top layer: only the URL configuration and the middleware that answers
for them import them. Whatever else needs the category tree asks articles.navigation."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

APP = Path(settings.BASE_DIR) / "articles"
MAY_IMPORT_THE_VIEWS = {"views.py", "urls.py", "middleware.py"}


def imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(APP.parent).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)


def app_modules():
    """The app's modules but its tests, migrations and those that may import the views."""
    return [
        path for path in APP.rglob("*.py")
        if not {"tests", "migrations"} & set(path.relative_to(APP).parts)
        and path.relative_to(APP).as_posix() not in MAY_IMPORT_THE_VIEWS
    ]  # fmt: skip


@pytest.mark.parametrize("path", app_modules(), ids=lambda path: str(path.relative_to(APP)))
def test_only_the_url_configuration_imports_the_reader_views(path):
    assert "articles.views" not in set(imported_modules(path))


def test_the_scan_sees_an_import_of_the_views():
    assert "articles.views" in set(imported_modules(APP / "urls.py"))
