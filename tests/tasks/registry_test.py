"""Tasks by name: registration, lookup by name, model and config, the keys other tasks own, typed loading."""

import os

import pytest

from seqtk.tasks import Task, get_task, load_model_directory, register_task, task_names, task_of_config, task_of_model
from seqtk.tasks import registry
from seqtk.tasks.classifier_config import ClassifierConfig
from seqtk.tasks.language_model_config import LanguageModelConfig

LEGACY = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "shakespeare_char_legacy")


class RegistryTest:
    def test_the_shipped_tasks_are_registered_under_one_name_each(self):
        assert task_names() == ["classifier", "lm", "tagger", "translator"]
        for name in task_names():
            task = get_task(name)
            assert task.name == name and task_of_config(task.config_class()) is task

    def test_an_unknown_name_lists_the_tasks(self):
        with pytest.raises(ValueError, match="Unknown task 'parser'; the tasks are classifier, lm, tagger, translator"):
            get_task("parser")

    def test_registering_needs_a_name_and_makes_the_task_reachable(self):
        with pytest.raises(ValueError, match="needs a `name`"):
            register_task(type("Nameless", (Task,), {}))
        try:
            register_task(type("Parser", (Task,), {"name": "parser", "config_class": LanguageModelConfig}))
            assert get_task("parser").name == "parser" and "parser" in task_names()
        finally:
            registry._TASKS.pop("parser", None)
        assert "parser" not in task_names()

    def test_keys_of_other_tasks_are_named(self):
        assert registry.tasks_with_key("training.label_smoothing") == "translator"
        assert registry.tasks_with_key("training.epochs", exclude="lm") == "classifier, tagger, translator"
        assert registry.tasks_with_key("training.nothing") == ""

    def test_models_and_configs_name_their_task(self):
        model, _, config = load_model_directory(LEGACY)
        assert task_of_model(model) is get_task("lm") and isinstance(config, LanguageModelConfig)
        with pytest.raises(TypeError, match="dict is no task's config"):
            task_of_config({})
        with pytest.raises(ValueError, match=r"holds a LanguageModel \(lm\), not a TextClassifier. Give a directory "
                                             r"written by `seqtk train classifier`"):
            load_model_directory(LEGACY, task="classifier")
        assert not isinstance(config, ClassifierConfig)
