"""The README's first command (`bash scripts/demo.sh`) leaves the work tree as git has it, and the shipped
presets' tests still pass after it: run in a copy of the work tree, with the suite's own environment."""

import os
import shutil
import subprocess
import sys

import pytest

pytestmark = pytest.mark.large

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def git(folder, *arguments):
    environment = {**os.environ, "GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@example.org",
                   "GIT_COMMITTER_NAME": "test", "GIT_COMMITTER_EMAIL": "test@example.org"}
    return subprocess.run(["git", *arguments], cwd=folder, capture_output=True, text=True, check=True,
                          env=environment).stdout


@pytest.fixture(scope="module")
def work_tree_copy(tmp_path_factory):
    """The work tree as it is now (tracked files and untracked ones git does not ignore), committed in a
    new repository, with `.venv` pointing at this interpreter's environment."""
    copy = tmp_path_factory.mktemp("clone") / "seqtk"
    files = git(REPOSITORY, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for name in filter(None, files):
        source = os.path.join(REPOSITORY, name)
        if os.path.isfile(source):  # a tracked file deleted in the work tree is not copied
            os.makedirs(os.path.dirname(os.path.join(copy, name)), exist_ok=True)
            shutil.copy2(source, os.path.join(copy, name))
    git(copy, "init", "-q")
    git(copy, "add", "-A")
    git(copy, "commit", "-q", "-m", "work tree")
    os.symlink(sys.prefix, copy / ".venv")
    return copy


def test_the_main_job_writes_no_tracked_file_and_the_shipped_models_stay_whole(work_tree_copy):
    environment = {**os.environ, "SEQTK_SKIP_SETUP": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}
    job = subprocess.run(
        ["bash", "scripts/demo.sh", "--set", "training.steps_per_epoch=3", "--set", "training.epochs=1",
         "--set", "training.time_budget_minutes=0", "--set", "training.verbose=0", "--set", "sample_length=20"],
        cwd=work_tree_copy, capture_output=True, text=True, env=environment)
    assert job.returncode == 0, job.stdout[-2000:] + job.stderr[-3000:]
    assert (work_tree_copy / "models" / "shakespeare_char" / "model.keras").is_file()
    assert "JULIET:" in job.stdout  # the demo printed its sample
    assert git(work_tree_copy, "status", "--porcelain") == ""
    # The shipped presets' own tests, in the copy: their files are still the ones recorded.
    suite = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/saved_models_test.py"],
        cwd=work_tree_copy, capture_output=True, text=True, env=environment)
    assert suite.returncode == 0, suite.stdout[-3000:] + suite.stderr[-2000:]
    assert " passed" in suite.stdout and "failed" not in suite.stdout
    assert git(work_tree_copy, "status", "--porcelain") == ""
