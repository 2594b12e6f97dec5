"""The shipped presets in saved_models/, checked against saved_models/SHA256SUMS before a test reads them.

A test that needs a preset's exact contents (its card's numbers, its vocabulary) calls `shipped_model(name)`:
if any of its files differs from what was shipped, the test fails saying which file changed and how to
restore it, instead of failing later on a number that moved.
"""

import os

import pytest

from seqtk.training.model_card import file_sha256

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAVED_MODELS = os.path.join(REPOSITORY, "saved_models")
SUMS_FILE = os.path.join(SAVED_MODELS, "SHA256SUMS")
NOT_MODEL_FILES = {"README.md", "SHA256SUMS"}


def recorded_sums(root=SAVED_MODELS):
    """`{relative path: sha256}` from SHA256SUMS (the format `sha256sum -c` reads)."""
    sums = {}
    with open(os.path.join(root, "SHA256SUMS"), encoding="utf-8") as handle:
        for line in handle:
            digest, path = line.rstrip("\n").split(maxsplit=1)
            sums[os.path.normpath(path.lstrip("*"))] = digest
    return sums


def model_files(root=SAVED_MODELS):
    """Every file of the model folders under `root`, relative to it."""
    found = []
    for folder, _, files in os.walk(root):
        for name in files:
            path = os.path.relpath(os.path.join(folder, name), root)
            if path not in NOT_MODEL_FILES:
                found.append(os.path.normpath(path))
    return sorted(found)


def changes(root=SAVED_MODELS, name=None):
    """What differs from SHA256SUMS, one line each (within the folder `name` only, if given)."""
    sums = recorded_sums(root)
    inside = (lambda path: path.split(os.sep)[0] == name) if name else (lambda path: True)
    present = [p for p in model_files(root) if inside(p)]
    lines = []
    for path in sorted(p for p in sums if inside(p)):
        if path not in present:
            lines.append(f"saved_models/{path} is missing")
            continue
        digest = file_sha256(os.path.join(root, path))
        if digest != sums[path]:
            lines.append(f"saved_models/{path} was changed (sha256 {digest[:12]}, shipped {sums[path][:12]})")
    lines += [f"saved_models/{path} was added" for path in present if path not in sums]
    return lines


def shipped_model(name):
    """The path of the shipped preset `saved_models/<name>`, after checking it is the one shipped."""
    directory = os.path.join(SAVED_MODELS, name)
    if not os.path.isdir(directory):
        pytest.fail(f"saved_models/{name} is missing: restore it with `git checkout -- saved_models/{name}`.")
    different = changes(name=name)
    if different:
        pytest.fail("The shipped model differs from the one recorded in saved_models/SHA256SUMS:\n  "
                    + "\n  ".join(different)
                    + f"\nRestore it with `git checkout -- saved_models/{name}`; to ship a retrained model, "
                    "update the sums with `bash scripts/saved_models_sums.sh` (saved_models/README.md).")
    return directory
