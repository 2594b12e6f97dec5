"""Classifiers and translators trained on files read a piece at a time (`data.streaming`)."""

import keras
import numpy as np
import pytest

from seqtk.data import example_stream
from seqtk.errors import ConfigError
from seqtk.tasks import get_task, task_names
from subprocess_runs import folders, task_settings

# The tasks whose config can read its training files a piece at a time (`data.streaming`).
STREAMING_TASKS = [name for name in task_names() if hasattr(get_task(name).config_class().data, "streaming")]


def run(task, tmp_path, *extra, name=None, resume=False, callbacks=()):
    settings = task_settings(task, tmp_path) + folders(tmp_path, name or task) + [
        "training.verbose=0", "training.jit_compile=false", "training.time_budget_minutes=0", "training.epochs=2",
        "training.early_stopping_patience=5", *extra]
    config = get_task(task).load_config(None, overrides=settings)
    return get_task(task).train(config, resume=resume, log=lambda *a: None, callbacks=list(callbacks))


@pytest.mark.parametrize("task", STREAMING_TASKS)
def test_streaming_trains_on_every_example_and_resumes_exactly(tmp_path, monkeypatch, task):
    monkeypatch.setattr(example_stream, "PIECE_BYTES", 2000)  # several pieces from the small sample files
    whole = run(task, tmp_path, "data.streaming=true", "training.checkpoint_every_steps=2", name="whole")
    metrics = whole["metrics"]
    in_memory = run(task, tmp_path, name="in_memory")["metrics"]
    key = "train_examples" if task == "classifier" else "train_pairs"
    assert metrics[key] == in_memory[key] > 0  # every example, read piece by piece
    steps = int(whole["trainer"].optimizer.iterations.numpy())

    class Crash(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if int(self.model.optimizer.iterations.numpy()) == steps // 2 + 1:
                raise KeyboardInterrupt("killed")

    with pytest.raises(KeyboardInterrupt):
        run(task, tmp_path, "data.streaming=true", "training.checkpoint_every_steps=2", name="cut", callbacks=[Crash()])
    resumed = run(task, tmp_path, "data.streaming=true", "training.checkpoint_every_steps=2", name="cut", resume=True)
    assert int(resumed["trainer"].optimizer.iterations.numpy()) == steps
    for a, b in zip(whole["model"].get_weights(), resumed["model"].get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)


def test_streaming_without_validation_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="give data.validation"):
        run("classifier", tmp_path, "data.streaming=true", "data.validation=[]")
