"""Every generic training option for half of the registered tasks (`generic_options`; the other half in
`runner_tasks_test.py`), and what applies to one task only."""

import pytest

from generic_options import (  # noqa: F401  (test classes and fixtures collected here)
    GenericOptionTest,
    data_files,
    run,
    test_unknown_symbols_are_counted_warned_about_and_refused_when_strict,
)
from seqtk.tasks import get_task, load_model_directory, task_names
from seqtk.training.config import ConfigError

pytestmark = pytest.mark.large


@pytest.fixture(params=task_names()[0::2])
def task(request):
    return request.param


@pytest.mark.parametrize("task", ["lm", "classifier"])
def test_extend_vocabulary_grows_a_model_started_from_a_language_model(task, data_files, tmp_path):
    # The base reads 4,000 characters of Shakespeare; the fine-tuning data (its held-out tail with digits and
    # a degree sign, or SST-2 sentences) has characters it never saw. The translator takes no --init-from.
    base = run("lm", data_files, tmp_path, "training.steps_per_epoch=1", "name=base")["directory"]
    extra = [f"data.train=[{data_files['validation_file']['lm']}]"] if task == "lm" else []
    grown = run(task, data_files, tmp_path, *extra, "training.steps_per_epoch=1", "training.extend_min_count=1",
                init_from=base)
    growth = grown["metrics"]["vocabulary_growth"]
    assert growth["base"] == base_size(base) and growth["extended"] == grown["metrics"]["vocabulary_size"]
    assert growth["extended"] == growth["base"] + len(growth["added"]) and growth["added"]
    assert grown["metrics"]["unknown_symbols"]["training"]["unknown"] == 0  # every new symbol seen once is in
    rare = run(task, data_files, tmp_path, *extra, "training.steps_per_epoch=1", "training.extend_min_count=100000",
               init_from=base)
    assert "vocabulary_growth" not in rare["metrics"] and rare["metrics"]["vocabulary_size"] == growth["base"]
    kept = run(task, data_files, tmp_path, *extra, "training.steps_per_epoch=1", "training.extend_vocabulary=false",
               init_from=base)
    assert "vocabulary_growth" not in kept["metrics"] and kept["metrics"]["unknown_symbols"]["training"]["unknown"] > 0


def base_size(directory):
    return load_model_directory(directory, task="lm")[1].vocabulary_size


class OptionsThatDoNotApplyTest:
    @pytest.mark.parametrize("task,key,owner", [
        ("classifier", "training.pipeline=windows", "lm"),
        ("translator", "training.sequence_length=20", "lm"),
        ("lm", "training.gradual_unfreezing=true", "classifier"),
        ("lm", "training.label_smoothing=0.1", "translator"),
        ("classifier", "training.bleu_sentences=10", "translator"),
    ])
    def test_an_option_of_another_task_is_an_error_naming_both(self, task, key, owner):
        with pytest.raises(ConfigError, match=rf"{key.split('=')[0]} does not apply to the {task} task; it is an "
                                              rf"option of .*{owner}"):
            get_task(task).load_config(None, overrides=[key])

    def test_checkpoints_inside_an_epoch_are_off_across_workers(self, data_files, tmp_path, monkeypatch):
        from seqtk.training.distribution import Distribution

        monkeypatch.setattr("seqtk.training.runner.choose_distribution",
                            lambda *a: Distribution("multi_worker", replicas=2, workers=2))
        logs = []
        run("lm", data_files, tmp_path, "training.checkpoint_every_steps=1", "training.steps_per_epoch=3", logs=logs)
        assert any("Checkpoints at epoch ends only" in line for line in logs)
        state = (tmp_path / "checkpoints" / "lm" / "checkpoint" / "training_state.json").read_text()
        assert '"mid_epoch": false' in state

    def test_translator_takes_no_init_from(self, tmp_path):
        task = get_task("translator")
        with pytest.raises(ConfigError, match="translator task trains from scratch and takes no --init-from"):
            task.training_config(None, init_from=str(tmp_path))

    @pytest.mark.parametrize("task", task_names())
    def test_monitor_must_be_one_the_task_logs(self, task):
        with pytest.raises(ConfigError, match=r"training.monitor must be one of val_.*; received 'val_nothing'"):
            get_task(task).load_config(None, overrides=["training.monitor=val_nothing"])

    def test_every_registered_task_has_tiny_settings(self, data_files):
        assert task_names() and all(data_files[task] for task in task_names())
