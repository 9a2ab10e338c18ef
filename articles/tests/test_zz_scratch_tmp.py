import pytest
from articles.tests.test_import_behaviour import run, run_failing, write, post, png_bytes, site, Article
@pytest.mark.django_db
def test_dbg(site):
    source, data = site
    write(source, "_posts/a.md", post("title: 带本地头图的文章", "date: 2024-05-08 10:30:00", "cover: /images/a.png"))
    print(run_failing(source / "_posts", source_root=source, dry_run=True))
    write(source, "images/broken.png", b"\x89PNG\r\n\x1a\nnot really a picture")
    write(source, "_posts/b.md", post("title: 坏图片", "date: 2024-05-08 10:30:00", body="![](/images/broken.png)"))
    print(run(source / "_posts", source_root=source)[1])
