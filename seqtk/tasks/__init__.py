"""Tasks: what differs between a language model, a classifier, a translator and a tagger; a registry by name.

`seqtk train <task>` and `seqtk evaluate` look tasks up here; the one runner in `seqtk.training.runner`
does what they share.
"""

# Each task module registers its task in `registry` (a leaf) as it is imported here.
from seqtk.tasks.classifier import ClassifierTask
from seqtk.tasks.classifier_config import ClassifierConfig
from seqtk.tasks.language_model import LanguageModelTask, fine_tuning_config
from seqtk.tasks.language_model_config import LanguageModelConfig
from seqtk.tasks.registry import (
    get_task,
    load_model_directory,
    register_task,
    task_names,
    task_of_config,
    task_of_model,
)
from seqtk.tasks.tagger import TaggerTask
from seqtk.tasks.tagger_config import TaggerConfig
from seqtk.tasks.task import CardParts, PreparedData, Task, TaskData
from seqtk.tasks.translator import TranslatorTask
from seqtk.tasks.translator_config import TranslatorConfig
from seqtk.training.config import available_configs


def load_config(config=None, overrides=(), data=None, task="lm"):
    """The typed config of `task` (`"lm"`, `"classifier"`, `"translator"`, ...).

    Args:
        config: a named config (`shakespeare_char`), a YAML/JSON path, or None for the defaults.
        overrides: `"section.key=value"` strings (values parsed as YAML).
        data: replaces `data.train` with the user's files and clears the configured validation.
    """
    return get_task(task).load_config(config, overrides=overrides, data=data)


def train(config, init_from=None, resume=False, command=None, log=print, callbacks=()):
    """Trains, evaluates and saves the model `config` describes (its class names the task).

    Returns `{"directory", "metrics", "model", "trainer"}` (see `run_training`).

    Example:
    >>> result = train(load_config("sst2_sentences", task="classifier"))
    """
    return task_of_config(config).train(config, init_from=init_from, resume=resume, command=command, log=log,
                                        callbacks=callbacks)


def train_task(task, config=None, overrides=(), data=None, init_from=None, resume=False, command=None, log=print):
    """`seqtk train <task>`: the task's config from a named config or file, `--data` and `--set`
    overrides (`init_from`: fine-tune or transfer this saved model), trained and saved.

    Returns `{"directory", "metrics", "model", "trainer"}` as `Task.train` does.
    """
    task = get_task(task)
    config = task.training_config(config, overrides, data, init_from)
    return task.train(config, init_from=init_from, resume=resume, command=command, log=log)


def evaluate(directories, paths, **options):
    """`(task, report)` of the saved model in `directories` (several classifiers are averaged) on the data
    files `paths`. `options`: `batch_size`, and what the task reads (`format`, `text_column`,
    `label_column`, `source_column`, `target_column`, `beam`)."""
    directories = [directories] if isinstance(directories, str) else list(directories)
    first = load_model_directory(directories[0])
    task = task_of_config(first[2])
    if len(directories) > 1 and not task.evaluates_several_models:
        raise ValueError(f"Several models are averaged for classifiers only; {directories[0]} holds a "
                         f"{type(first[0]).__name__}. Give one --model.")
    members = [(directories[0], *first)]
    members += [(d, *load_model_directory(d, task=task.name)) for d in directories[1:]]
    return task, task.evaluate_saved(members, paths, options)


__all__ = [
    "CardParts",
    "ClassifierConfig",
    "ClassifierTask",
    "LanguageModelConfig",
    "LanguageModelTask",
    "PreparedData",
    "TaggerConfig",
    "TaggerTask",
    "Task",
    "TaskData",
    "TranslatorConfig",
    "TranslatorTask",
    "available_configs",
    "evaluate",
    "fine_tuning_config",
    "get_task",
    "load_config",
    "load_model_directory",
    "register_task",
    "task_names",
    "task_of_config",
    "task_of_model",
    "train",
    "train_task",
]
