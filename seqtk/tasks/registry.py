"""Tasks by name, and the saved models they wrote, with their configs typed.

The registry is a leaf: the task modules import it and register themselves; `seqtk.tasks` imports them.
"""

import dataclasses
import os

from seqtk.errors import ModelFolderError
from seqtk.models.model_directory import CONFIG_FILE, read_model_directory

_TASKS = {}


def register_task(task_class):
    """Class decorator: registers an instance of a `Task` subclass under its `name`."""
    if not task_class.name:
        raise ValueError(f"{task_class.__name__} needs a `name` to be registered.")
    _TASKS[task_class.name] = task_class()
    return task_class


def task_names():
    return sorted(_TASKS)


def get_task(name):
    """The registered task called `name` (`lm`, `classifier`, `translator`, ...)."""
    if name not in _TASKS:
        raise ValueError(f"Unknown task {name!r}; the tasks are {', '.join(sorted(_TASKS))}.")
    return _TASKS[name]


def task_of_model(model, directory="this model"):
    """The task whose model class `model` is."""
    for task in _TASKS.values():
        if isinstance(model, task.model_class):
            return task
    raise ValueError(f"{directory}: holds a {type(model).__name__}, which no seqtk task trains "
                     f"({', '.join(sorted(_TASKS))}).")


def task_of_config(config):
    """The task whose config class `config` is."""
    for task in _TASKS.values():
        if isinstance(config, task.config_class):
            return task
    raise TypeError(f"{type(config).__name__} is no task's config; build one with seqtk.tasks.load_config.")


def tasks_with_key(path, exclude=None):
    """The names of the tasks (other than `exclude`) whose configs have the dotted key `path`."""
    owners = []
    for name, task in sorted(_TASKS.items()):
        if name == exclude:
            continue
        target = task.config_class()
        for part in path.split("."):
            if not dataclasses.is_dataclass(target) or part not in {f.name for f in dataclasses.fields(target)}:
                break
            target = getattr(target, part)
        else:
            owners.append(name)
    return ", ".join(owners)


def load_model_directory(directory, task=None):
    """`(model, tokenizer, config)` of a directory `seqtk train` wrote, the config typed as its task's.

    A directory without a `config.yaml` gets its task's default config. With `task` (a name), a model of
    another task is an error that says which command wrote what the directory holds.

    Example:
    >>> model, tokenizer, config = load_model_directory("saved_models/sst2_ulmfit_bidirectional")
    >>> config.data.max_length, config.labels
    (64, ['0', '1'])
    """
    model, tokenizer, values = read_model_directory(directory)
    if values and "task" in values and values["task"] not in _TASKS:
        raise ModelFolderError(f"{os.path.join(directory, CONFIG_FILE)}: names the task {values['task']!r}, which "
                               f"seqtk does not have ({', '.join(sorted(_TASKS))}); use the folder as "
                               "`seqtk train` wrote it.")
    found = get_task(values["task"]) if values and "task" in values else task_of_model(model, directory)
    if task is not None and found.name != task:
        wanted = get_task(task)
        raise ValueError(f"{directory}: holds a {type(model).__name__} ({found.name}), not a "
                         f"{wanted.model_class.__name__}. Give a directory written by `seqtk train {task}`.")
    config = found.config_from_dict(values, os.path.join(directory, CONFIG_FILE))
    return model, tokenizer, config

