"""The docs build with `mkdocs build --strict` (broken links and references fail it), the options page lists
every config key of every task with its help, and the README stays an overview."""

import html
import os
import re
import subprocess
import sys

import pytest

from seqtk.tasks import get_task, task_names
from seqtk.training.config import describe_options

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MKDOCS = os.path.join(os.path.dirname(sys.executable), "mkdocs")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run([MKDOCS, "build", "--strict", "--site-dir", str(site)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return site


def _text(path):
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))


class DocsTest:
    def test_every_config_key_of_every_task_is_on_the_options_page_with_its_help(self, site):
        page = _text(site / "options" / "index.html")
        for task in task_names():
            section = page.split(f"{task}¶")[1]
            for row in describe_options(get_task(task).config_class):
                assert f"{row['key']}{repr(row['default'])}" in section.replace("\n", ""), (task, row["key"])
                assert row["help"].replace("`", "") in page, (task, row["key"])  # code spans lose their ticks

    def test_the_worked_example_and_the_api_reference_are_rendered(self, site):
        assert "class TextRegressionTask(Task):" in _text(site / "adding-a-task" / "index.html")
        api = _text(site / "api" / "index.html")
        assert "What a task supplies, all of it here" in api and "ValidationMetricsCallback" in api

    def test_the_readme_is_an_overview_and_no_page_points_outside_the_repository(self):
        readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
        assert len(readme.splitlines()) <= 150
        for task in task_names():
            assert f"seqtk train {task} " in readme
        pages = [os.path.join(folder, name) for folder, _, names in os.walk(os.path.join(ROOT, "docs"))
                 for name in names if name.endswith(".md")]
        for path in pages + [os.path.join(ROOT, "README.md"), os.path.join(ROOT, "CHANGELOG.md")]:
            assert "../shared" not in open(path, encoding="utf-8").read(), path
