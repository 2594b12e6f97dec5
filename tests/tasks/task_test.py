"""The base `Task`: what it does for every task (config loading, starting points, the card's frame, saved-model
evaluation), checked on a small task of its own."""

import dataclasses

import pytest

from seqtk.errors import ConfigError
from seqtk.tasks import CardParts, Task, get_task
from seqtk.tokenizers.char_tokenizer import CharTokenizer
from seqtk.training.config import RunConfig


class _Counting(Task):
    """A task whose saved-model evaluation only counts what it is given."""

    name = "counting"
    config_class = get_task("lm").config_class
    retired_keys = ("training.pipeline",)

    def texts_by_tokenizer(self, tokenizer, data):
        return [(tokenizer, [("eval.txt", i + 1, text) for i, text in enumerate(data)], "source side")]

    def read_evaluation_data(self, paths, options, config):
        return ["abc", "abz"]

    def evaluate_examples(self, members, examples, batch_size, options):
        return {"members": len(members), "examples": len(examples), "batch_size": batch_size}

    def card(self, config, metrics):
        return CardParts(summary=["A counting model."], train="train.txt (3 texts)", validation="dev.txt",
                         report=["- counted 3"], data=["- extra data line"], training=["- Trained by hand"],
                         batch=", no dropout", epochs=" (fast)")


def _config_dict():
    config = get_task("lm").config_class().to_dict()
    config["name"] = "counter"
    return config


class TaskTest:
    def test_load_config_checks_each_value_and_leaves_the_rules_between_them_to_validate(self):
        task = get_task("tagger")
        config = task.load_config(None, overrides=["tokenizer.kind=char"])  # a rule between values: later
        with pytest.raises(ConfigError, match="tokenizer.kind must be word"):
            config.validate()
        with pytest.raises(ConfigError, match="training.epochs must be at least 1"):
            task.load_config(None, overrides=["training.epochs=0"])

    def test_starting_points_and_init_from(self):
        classifier = get_task("classifier")
        config = classifier.config_class()
        config.init_from_backward = "lm_backward"
        assert classifier.starts_from(config, "lm") == ["lm", "lm_backward"]
        assert classifier.starts_from(config, "") == []
        assert get_task("lm").starts_from(get_task("lm").config_class(), "base") == ["base"]
        with pytest.raises(ConfigError, match="translator task trains from scratch and takes no --init-from"):
            get_task("translator").check_init_from("somewhere")

    def test_a_saved_config_drops_retired_keys_and_refuses_unknown_ones(self):
        task = _Counting()
        values = {"task": "counting", "training": {"pipeline": "stream", "epochs": 3}}
        assert task.config_from_dict(values, "config.yaml").training.epochs == 3
        with pytest.raises(ConfigError, match="config.yaml: unknown config key 'training.nothing'"):
            task.config_from_dict({"training": {"nothing": 1}}, "config.yaml")

    def test_the_model_card_puts_the_tasks_parts_in_the_common_frame(self):
        metrics = {"vocabulary_size": 50, "epochs_run": 2, "training_seconds": 61.0, "machine": "x86_64 CPU"}
        card = _Counting().model_card(_config_dict(), metrics, "seqtk train counting")
        sections = [line for line in card.splitlines() if line.startswith("#")]
        assert sections == ["# counter", "## Data", "## Training", "## Validation", "## Reproduce"]
        assert "- Train: train.txt (3 texts)\n- Validation: dev.txt\n- extra data line\n" in card
        assert "- Trained by hand\n- Batch 20, optimizer adam lr 0.002, clip 5.0, no dropout\n" in card
        assert "- Epochs run: 2, training time 61 s (fast) on x86_64 CPU" in card
        assert "## Validation\n- counted 3" in card and "seqtk train counting" in card

    def test_saved_model_evaluation_reports_unknown_symbols_of_each_member(self, capsys):
        tokenizer = CharTokenizer.train(["abc"])
        config = get_task("lm").config_class()
        members = [("a", None, tokenizer, config), ("b", None, tokenizer, config)]
        report = _Counting().evaluate_saved(members, ["eval.txt"], {})
        assert report == {"members": 2, "examples": 2, "batch_size": config.training.eval_batch_size}
        err = capsys.readouterr().err
        assert "Evaluation data (source side) (a)" in err and "Evaluation data (source side) (b)" in err
        assert "'z'" in err
        assert _Counting().evaluate_saved(members[:1], ["eval.txt"], {"batch_size": 3})["batch_size"] == 3

    def test_every_task_config_validates_its_defaults(self):
        from seqtk.tasks import task_names

        for name in task_names():
            config = get_task(name).config_class()
            assert isinstance(config, RunConfig) and dataclasses.is_dataclass(config)
            config.validate()
