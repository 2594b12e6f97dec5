"""A model folder's YAML and JSON files read as plain data, refused with the file's name when damaged or
tampered with. Reading them needs nothing but the standard library and PyYAML (no TensorFlow)."""

import json

import yaml

from seqtk.errors import ModelFolderError


def read_yaml_file(path):
    """The mapping in a model folder's YAML file (`config.yaml`), read as plain data: a file with another
    shape, a YAML error or a tag such as `!!python/object/apply:` (which plain YAML never runs) is refused
    with its name."""
    try:
        with open(path, encoding="utf-8") as handle:
            values = yaml.safe_load(handle)
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        problem = str(error).splitlines()[0][:300]
        raise ModelFolderError(f"{path}: not a seqtk config ({problem}). It was not written by seqtk or was "
                               "changed since; nothing in it was run. Use the folder as `seqtk train` wrote it."
                               ) from None
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise ModelFolderError(f"{path}: not a seqtk config (a mapping of sections was expected, it holds a "
                               f"{type(values).__name__}). Use the folder as `seqtk train` wrote it.")
    return values


def read_json_file(path, what="file"):
    """The JSON object in a model folder's `what` (`metrics.json`, `metadata.json`), refused with its name
    when it is not one."""
    try:
        with open(path, encoding="utf-8") as handle:
            values = json.load(handle)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ModelFolderError(f"{path}: not a seqtk {what} ({error}). It was not written by seqtk or was "
                               "changed since; write it again (train or export again).") from None
    if not isinstance(values, dict):
        raise ModelFolderError(f"{path}: not a seqtk {what} (a JSON object was expected, it holds a "
                               f"{type(values).__name__}).")
    return values
