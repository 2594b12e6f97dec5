"""Every config field carries its help and checks; the checks hold for values from files, --set and Python."""

import dataclasses

import pytest

from seqtk.errors import ConfigError
from seqtk.tasks import get_task, task_names
from seqtk.training.config import (
    DataConfig,
    RecurrentModelConfig,
    TrainingConfig,
    check_fields,
    describe_options,
    format_options,
)
from seqtk.training.config_fields import at_least, check_value, default, field_metadata, option


def _fields(section, prefix=""):
    for field in dataclasses.fields(section):
        value = getattr(section, field.name)
        yield prefix + field.name, section, field
        if dataclasses.is_dataclass(value):
            yield from _fields(value, f"{prefix}{field.name}.")


class ConfigFieldsTest:
    @pytest.mark.parametrize("task", task_names())
    def test_every_field_of_every_task_has_help_and_a_type(self, task):
        config = get_task(task).config_class()
        for key, section, field in _fields(config):
            metadata = field_metadata(section, field.name)
            assert len(metadata.get("help", "")) > 10, f"{task}: {key} has no help"
            assert field.type is not object and "Any" not in str(field.type), f"{task}: {key} is untyped"

    @pytest.mark.parametrize("task", task_names())
    def test_every_number_has_a_range(self, task):
        config = get_task(task).config_class()
        for key, section, field in _fields(config):
            value = getattr(section, field.name)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                metadata = field_metadata(section, field.name)
                assert metadata.keys() & {"minimum", "above", "choices", "kind"}, f"{task}: {key} has no range"

    def test_a_task_section_extends_the_shared_one_and_keeps_its_help(self):
        for task in task_names():
            config = get_task(task).config_class()
            assert isinstance(config.data, DataConfig) and isinstance(config.model, RecurrentModelConfig)
            assert isinstance(config.training, TrainingConfig)
        tagger = get_task("tagger").config_class()
        assert tagger.model.input_dropout == 0.5 and RecurrentModelConfig().input_dropout == 0.0
        assert field_metadata(tagger.model, "input_dropout") == field_metadata(RecurrentModelConfig, "input_dropout")

    @pytest.mark.parametrize("key,value,message", [
        ("training.learning_rate", 0, "must be above 0"),
        ("training.lr_decay_factor", 1.5, "must be at most 1.0"),
        ("training.min_learning_rate", -1e-3, "must be at least 0.0"),
        ("training.seed", -1, "must be at least 0"),
        ("model.hidden_dim", [256, 0], r"takes one size \(256\) or one per layer"),
        ("model.hidden_dim", "big", r"takes one size \(256\) or one per layer"),
        ("data.text_column", 1.5, "takes a column's name or its 0-based index"),
    ])
    def test_ranges_sizes_and_columns_are_checked_from_set(self, key, value, message):
        with pytest.raises(ConfigError, match=rf"--set {key}=.*: {key} {message}"):
            get_task("classifier").load_config(None, overrides=[f"{key}={value!r}"])

    def test_sizes_and_columns_take_what_they_should(self):
        config = get_task("classifier").load_config(
            None, overrides=["model.hidden_dim=[64, 32]", "data.text_column=2", "data.label_column=sentiment"])
        assert (config.model.hidden_dim, config.data.text_column, config.data.label_column) == ([64, 32], 2,
                                                                                              "sentiment")

    def test_a_value_set_in_python_is_checked_too(self):
        config = get_task("lm").config_class()
        config.training.learning_rate = -0.1
        with pytest.raises(ConfigError, match="training.learning_rate must be above 0"):
            check_fields(config)

    def test_a_field_without_help_cannot_be_declared(self):
        with pytest.raises(ValueError, match="needs its help"):
            option(1, help=" ")
        with pytest.raises(TypeError):
            at_least(1, 0)  # help is required

    def test_default_changes_the_default_only(self):
        @dataclasses.dataclass
        class Base:
            size: int = at_least(8, 1, help="The size of it.")

        @dataclasses.dataclass
        class Child(Base):
            size: int = default(16)

        assert Child().size == 16 and field_metadata(Child, "size") == {"help": "The size of it.", "minimum": 1}
        with pytest.raises(ConfigError, match="size must be at least 1"):
            check_value(field_metadata(Child, "size"), 0, "size", "test")

    @pytest.mark.parametrize("task", task_names())
    def test_help_config_lists_every_key_with_default_and_help(self, task):
        config_class = get_task(task).config_class
        text = format_options(config_class, task)
        rows = describe_options(config_class)
        assert len(rows) == sum(1 for _, section, field in _fields(config_class())
                                if not dataclasses.is_dataclass(getattr(section, field.name)))
        for row in rows:
            assert f"\n{row['key']} = {row['default']!r}  ({row['type']}" in text
