import hashlib
import os
import pathlib

import keras
import numpy as np
import pytest

from seqtk.tasks import get_task
from seqtk.training.config import ConfigError
from seqtk.training.numerical_fault import NumericalFault, NumericalFaultCallback
from task_samples import write_task_samples

BAD_BATCH = 2  # 0-based: the third batch of every epoch holds a NaN


def regression_data(batches=5, batch=4):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(batches * batch, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    return x, y


def poisoned(x):
    x = x.copy()
    x[BAD_BATCH * 4] = np.nan
    return x


def small_model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    return model


class NumericalFaultCallbackTest:
    def test_a_loss_above_the_bound_for_ten_batches_stops_and_a_recovery_resets_the_count(self):
        x, y = regression_data(batches=12)
        model = small_model()
        fault = NumericalFaultCallback("stop", log=lambda *a: None, chance_loss=0.0)  # bound: 3 nats
        fault.set_model(model)
        fault.on_train_begin()
        for batch in range(9):
            fault.on_train_batch_end(batch, {"loss": 5.0})
        fault.on_train_batch_end(9, {"loss": 1.0})  # back under the bound: the count starts again
        for batch in range(10, 19):
            fault.on_train_batch_end(batch, {"loss": 5.0})
        assert not fault.stopped and fault.suspect
        fault.on_train_batch_end(19, {"loss": 5.0})
        assert fault.stopped and fault.fault["batch"] == 20 and "10 batches in a row" in fault.fault["reason"]

    def test_a_non_finite_validation_loss_or_a_diverged_epoch_is_a_fault(self):
        model = small_model()
        for logs, reason in (({"loss": 0.5, "val_loss": float("inf")}, "the validation loss became inf"),
                             ({"loss": 50.0, "val_loss": 0.5}, "the epoch's mean loss is 50")):
            fault = NumericalFaultCallback("stop", log=lambda *a: None, chance_loss=1.0)
            fault.set_model(model)
            fault.on_train_begin()
            fault.on_epoch_end(0, logs)
            assert fault.stopped and reason in fault.fault["reason"]
        fault = NumericalFaultCallback("stop", log=lambda *a: None)  # no chance loss: finiteness only
        fault.set_model(model)
        fault.on_train_begin()
        fault.on_epoch_end(0, {"loss": 50.0, "val_loss": 0.5})
        assert not fault.stopped

    def test_stop_restores_the_last_good_weights_and_says_where(self):
        x, y = regression_data()
        model = small_model()
        model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)  # one good epoch first
        good = [w.copy() for w in model.get_weights()]
        fault = NumericalFaultCallback("stop", log=lambda *a: None)
        model.fit(poisoned(x), y, batch_size=4, epochs=3, shuffle=False, verbose=0, callbacks=[fault])
        assert fault.stopped
        assert fault.fault["epoch"] == 1 and fault.fault["batch"] == BAD_BATCH + 1
        assert np.isnan(fault.fault["loss"])
        for restored, before in zip(model.get_weights(), good, strict=True):
            np.testing.assert_array_equal(restored, before)
        message = fault.message("checkpoints/x")
        assert "epoch 1, batch 3" in message and "checkpoints/x" in message and "on_nan=rollback" in message

    def test_rollback_halves_the_rate_and_goes_on(self):
        x, y = regression_data()
        model = small_model()
        fault = NumericalFaultCallback("rollback", max_rollbacks=3, log=lambda *a: None)
        bad = poisoned(x)
        history = model.fit(bad, y, batch_size=4, epochs=2, shuffle=False, verbose=0, callbacks=[fault])
        assert not fault.stopped
        assert [(r["epoch"], r["batch"]) for r in fault.rollbacks] == [(1, 3), (2, 3)]
        assert float(model.optimizer.learning_rate) == pytest.approx(0.1 / 4)
        assert all(np.isfinite(w).all() for w in model.get_weights())
        # The epoch's loss restarts after a rollback, so it is the finite mean of the batches after it.
        assert np.isfinite(history.history["loss"]).all()

    def test_rollback_stops_after_max_rollbacks(self):
        x, y = regression_data()
        model = small_model()
        fault = NumericalFaultCallback("rollback", max_rollbacks=1, log=lambda *a: None)
        model.fit(poisoned(x), y, batch_size=4, epochs=3, shuffle=False, verbose=0, callbacks=[fault])
        assert len(fault.rollbacks) == 1 and fault.stopped and fault.fault["epoch"] == 2
        assert "after 1 rollback(s)" in fault.message("c")

    def test_unknown_mode_is_refused(self):
        with pytest.raises(ValueError, match="on_nan must be one of"):
            NumericalFaultCallback("ignore")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return write_task_samples(tmp_path_factory.mktemp("data"))["corpus"]


def train_lm(corpus, tmp_path, *overrides, logs=None):
    settings = [f"data.train=[{corpus}]", "data.validation=[]", "tokenizer.kind=char", "model.embedding_dim=8",
                "model.hidden_dim=8", "model.num_layers=1", "training.batch_size=4",
                "training.sequence_length=20", "training.eval_batch_size=4", "sample_length=5", "name=lm",
                f"output_dir={tmp_path}/saved", f"checkpoint_dir={tmp_path}/checkpoints", f"log_dir={tmp_path}/runs",
                "training.verbose=0", "training.time_budget_minutes=0", "training.jit_compile=false", *overrides]
    config = get_task("lm").load_config(None, overrides=settings)
    return get_task("lm").train(config, log=(logs.append if logs is not None else lambda *a: None))


def digest(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(pathlib.Path(folder).rglob("*")) if p.is_file()}


# Plain SGD without clipping: at 1e38 the second batch's loss overflows to inf. (Up to ~1e36 this LSTM's loss
# stays finite, if huge: its gates saturate.)
EXPLODING = ["training.optimizer=sgd", "training.learning_rate=1e38", "training.clipnorm=0"]


@pytest.mark.large
class ExplodingLearningRateTest:
    def test_stop_keeps_the_saved_model_and_checkpoint(self, corpus, tmp_path):
        train_lm(corpus, tmp_path, "training.epochs=1")  # a good model and checkpoint of this name
        saved, checkpoints = digest(tmp_path / "saved" / "lm"), digest(tmp_path / "checkpoints" / "lm")
        with pytest.raises(NumericalFault, match=r"the loss became (nan|inf) at epoch 1, batch \d+ "
                                                 r"\(optimizer step \d+\)") as raised:
            train_lm(corpus, tmp_path, "training.epochs=2", *EXPLODING)
        assert str(tmp_path / "checkpoints" / "lm") in str(raised.value)
        assert digest(tmp_path / "saved" / "lm") == saved
        assert digest(tmp_path / "checkpoints" / "lm") == checkpoints

    def test_rollback_then_stop_and_a_rate_that_recovers(self, corpus, tmp_path):
        logs = []
        with pytest.raises(NumericalFault, match=r"after 2 rollback\(s\)"):
            train_lm(corpus, tmp_path, "training.epochs=1", "training.on_nan=rollback", "training.max_rollbacks=2",
                     *EXPLODING, logs=logs)
        assert sum("rollback 1 of 2" in line and "learning rate 1e+38 -> 5e+37" in line for line in logs) == 1
        assert not os.path.exists(tmp_path / "saved" / "lm")
        # Enough halvings bring the rate where the loss stays finite: the run finishes and records them.
        result = train_lm(corpus, tmp_path, "training.epochs=1", "training.on_nan=rollback",
                          "training.max_rollbacks=30", *EXPLODING)
        rollbacks = result["metrics"]["numerical_rollbacks"]
        assert 1 <= len(rollbacks) <= 30
        assert rollbacks[-1]["learning_rate"] == pytest.approx(1e38 / 2 ** len(rollbacks), rel=1e-6)
        assert [r["batch"] for r in rollbacks] == sorted(r["batch"] for r in rollbacks)
        assert all(np.isfinite(w).all() for w in result["model"].get_weights())

    def test_a_finite_loss_far_above_chance_is_a_fault_too(self, corpus, tmp_path):
        # The run, small: SGD at 1e8 without clipping drives the loss to ~1e9 without overflowing;
        # before, the model was saved (validation perplexity inf).
        with pytest.raises(NumericalFault, match=r"the loss (diverged|became)") as raised:
            train_lm(corpus, tmp_path, "training.epochs=1", "training.optimizer=sgd", "training.learning_rate=1e8",
                     "training.clipnorm=0", "training.steps_per_epoch=20")
        assert "Nothing was saved" in str(raised.value)
        assert not os.path.exists(tmp_path / "saved" / "lm")

    def test_rollback_with_a_per_step_schedule_is_refused(self, corpus, tmp_path):
        with pytest.raises(ConfigError, match="slanted_triangular"):
            train_lm(corpus, tmp_path, "training.on_nan=rollback", "training.lr_schedule=slanted_triangular")


def test_a_huge_validation_loss_gives_an_infinite_perplexity_that_summaries_accept():
    # exp(700) was reported before: finite in float64, out of float32's range, which TensorBoard refused.
    import tensorflow as tf

    from seqtk.training.callbacks import LanguageModelMetricsCallback

    logs = {"val_loss": 4.3e7}
    LanguageModelMetricsCallback().on_epoch_end(0, logs)
    assert logs["val_perplexity"] == float("inf")
    tf.debugging.assert_scalar(logs["val_perplexity"])
    logs = {"val_loss": 2.0}
    LanguageModelMetricsCallback().on_epoch_end(0, logs)
    assert logs["val_perplexity"] == pytest.approx(np.exp(2.0))


@pytest.mark.large
def test_the_command_line_says_where_the_loss_broke_and_exits_3(corpus, tmp_path, capsys):
    from seqtk.cli import main

    code = main(["train", "lm", "--data", str(corpus), "--set", f"output_dir={tmp_path}/saved",
                 "--set", f"checkpoint_dir={tmp_path}/ck", "--set", f"log_dir={tmp_path}/runs",
                 "--set", "model.hidden_dim=8", "--set", "training.batch_size=4", "--set", "training.verbose=0",
                 "--set", "training.optimizer=sgd", "--set", "training.learning_rate=1e38",
                 "--set", "training.clipnorm=0", "--set", "training.jit_compile=false"])
    assert code == 3
    error = capsys.readouterr().err
    assert "seqtk: error: Training stopped: the loss became" in error and "on_nan=rollback" in error
    assert not (tmp_path / "saved").exists() or not any((tmp_path / "saved").iterdir())
