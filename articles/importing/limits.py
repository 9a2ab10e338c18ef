"""Every bound the importer puts on one legacy file, in one place.

A hostile or broken file must fail alone: each limit below stops a file before it can crash the
process, hold it for minutes or fill memory, and the file is reported with the limit it passed.
The figures behind them are in bench/README.md (bench/hostile_bench.py).
"""

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
"""Files larger than this are refused before they are read."""

MAX_FRONT_MATTER_DEPTH = 100
"""Front matter nested deeper than this is refused. Checked on the text before any parser runs:
libyaml recurses once per open bracket and overflows the C stack long before it reports a depth."""

MAX_YAML_VALUES = 100_000
"""YAML front matter with more values than this, counting every alias expanded, is refused."""

MAX_FRONT_MATTER_EXPANDED_BYTES = 2 * 1024 * 1024
"""YAML front matter whose text, with every alias expanded, is larger than this is refused: a few
aliases of one long string are few values but hundreds of megabytes once stored as JSON."""

MAX_TOML_KEY_PARTS = MAX_FRONT_MATTER_DEPTH
"""TOML keys of more dotted parts than this are refused before parsing: tomllib's memory grows
with the square of a dotted key's depth."""

MAX_TOML_TABLES = 10_000
"""TOML front matter with more table headers than this is refused before parsing."""

FILE_TIME_BUDGET_SECONDS = 30
"""Reading, mapping and sanitizing one file may take this long; then it fails and the run goes on.
Every scan is meant to be linear, so a file that needs longer is hostile or hits a bug."""

WORKER_KILL_GRACE_SECONDS = 10
"""A worker process still on one file this long after its time budget is stuck where the budget's
alarm cannot interrupt it (inside C code): it is killed and replaced, and the file fails."""

MAX_CATEGORY_DEPTH = 10
"""Category paths deeper than this are cut to their first levels (with a warning): each level is
a row and a breadcrumb item, and the stored path must fit Category.path."""

MAX_TAGS_PER_FILE = 1_000
"""A file's tags past this many are dropped with a warning; a real article has a few dozen."""

MAX_CATEGORY_PATHS_PER_FILE = 100
"""A file's category paths past this many are dropped with a warning."""

TAG_LOOKUP_BATCH = 100
"""Tag names looked up per query: one OR of thousands of terms passes SQLite's expression depth."""

MAX_OPEN_HTML_ELEMENTS = 1_000
"""A body whose HTML leaves more elements open than this at once (100,000 unclosed <pre> or <b>)
fails at once: the sanitizer's HTML parser rescans its stack of open elements for each new one."""
