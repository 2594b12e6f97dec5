"""Every generic training option, for every task: the effect is checked, not only that the run accepts it.

The tests take a `task` fixture: `runner_test.py` runs them for the registered tasks in even places of
`task_names()`, `runner_tasks_test.py` for those in odd places (two files, so two test workers share them):
a new task is tested as soon as it is registered.
"""

import math
import pathlib

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras.src.backend.tensorflow.trainer import TensorFlowTrainer

from seqtk.tasks import evaluate, get_task, load_model_directory, task_names
from seqtk.training.numerical_fault import DIVERGENCE_FACTOR, DIVERGENCE_MARGIN, NumericalFault
from seqtk.training.slanted_triangular_schedule import SlantedTriangularSchedule
from task_samples import tiny_settings, validation_file, write_task_samples

LEARNING_RATE = 0.004


@pytest.fixture(scope="module")
def data_files(tmp_path_factory):
    """Tiny settings of every registered task on small real data (bundled samples), and each one's validation
    file."""
    samples = write_task_samples(tmp_path_factory.mktemp("data"))
    return {"validation_file": {task: validation_file(task, samples) for task in task_names()},
            **{task: tiny_settings(task, samples) for task in task_names()}}

def run(task, data_files, tmp_path, *overrides, resume=False, logs=None, init_from=None):
    """Trains a tiny model of `task` with the overrides; returns the runner's result."""
    settings = data_files[task] + [
        f"name={task}", f"output_dir={tmp_path}/saved", f"checkpoint_dir={tmp_path}/checkpoints",
        f"log_dir={tmp_path}/runs", "training.verbose=0", "training.time_budget_minutes=0", "training.epochs=1",
        "training.jit_compile=false", f"training.learning_rate={LEARNING_RATE}", "training.min_learning_rate=0",
        "training.early_stopping_patience=5", *overrides,
    ]
    config = get_task(task).load_config(None, overrides=settings)
    return get_task(task).train(config, resume=resume, init_from=init_from,
                                log=(logs.append if logs is not None else lambda *a: None))


def learning_rate(result):
    return float(keras.ops.convert_to_numpy(result["trainer"].optimizer.learning_rate))


# An optimizer step this small changes no monitored value: every epoch after the first is "no improvement".
STALLED = ["training.optimizer=sgd", "training.learning_rate=1e-9"]

class GenericOptionTest:
    @pytest.mark.parametrize("precision", ["float16", "bfloat16"])
    def test_mixed_precision_trains_in_16_bits_and_saves_a_float32_model(self, task, precision, data_files,
                                                                         tmp_path):
        logs = []
        result = run(task, data_files, tmp_path, f"training.mixed_precision={precision}",
                     "training.steps_per_epoch=3", logs=logs)
        assert result["model"].dtype_policy.name == f"mixed_{precision}"
        # On CPUs a bfloat16 run says whether the CPU has bfloat16 units, and runs its step without XLA.
        said = "\n".join(map(str, logs))
        assert ("bfloat16 on this CPU" in said or "this CPU has no bfloat16 units" in said) == (precision == "bfloat16")
        if precision == "bfloat16":
            assert not result["trainer"].jit_compile
        # float16 needs loss scaling against underflow; bfloat16 has float32's range.
        assert isinstance(result["trainer"].optimizer, keras.optimizers.LossScaleOptimizer) == (precision == "float16")
        assert keras.mixed_precision.global_policy().name == "float32"  # restored after the run
        losses = [epoch["loss"] for epoch in result["metrics"]["history"]] + [
            epoch["val_loss"] for epoch in result["metrics"]["history"]]
        assert losses and all(math.isfinite(loss) for loss in losses)
        loaded, _, config = load_model_directory(result["directory"])
        assert config.training.mixed_precision == precision
        assert loaded.dtype_policy.name == "float32" and {w.dtype for w in loaded.weights} == {"float32"}
        _, report = evaluate([result["directory"]], [str(data_files["validation_file"][task])])
        score = {"lm": lambda r: r["loss"], "classifier": lambda r: r["accuracy"],
                 "translator": lambda r: r["greedy"]["chrf"], "tagger": lambda r: r["accuracy"]}[task](report)
        assert math.isfinite(score)

    def test_plateau_halves_the_rate_when_the_monitored_value_stalls(self, task, data_files, tmp_path):
        result = run(task, data_files, tmp_path, *STALLED, "training.lr_schedule=plateau",
                     "training.lr_decay_patience=0", "training.epochs=2", "training.steps_per_epoch=2")
        assert learning_rate(result) == pytest.approx(0.5e-9)

    def test_constant_keeps_the_rate_when_the_monitored_value_stalls(self, task, data_files, tmp_path):
        result = run(task, data_files, tmp_path, *STALLED, "training.lr_schedule=constant", "training.epochs=2",
                     "training.steps_per_epoch=2")
        assert learning_rate(result) == pytest.approx(1e-9)

    def test_step_decays_every_epoch_after_the_start_epoch(self, task, data_files, tmp_path):
        result = run(task, data_files, tmp_path, "training.lr_schedule=step", "training.lr_decay_start_epoch=1",
                     "training.lr_decay_factor=0.25", "training.epochs=3", "training.steps_per_epoch=2")
        assert result["metrics"]["epochs_run"] == 3
        assert learning_rate(result) == pytest.approx(LEARNING_RATE * 0.25 ** 2)

    def test_slanted_triangular_follows_the_schedule_over_the_whole_run(self, task, data_files, tmp_path):
        result = run(task, data_files, tmp_path, "training.lr_schedule=slanted_triangular",
                     "training.cut_fraction=0.5", "training.epochs=2", "training.steps_per_epoch=3")
        iterations = int(result["trainer"].optimizer.iterations)
        assert iterations == 6
        expected = SlantedTriangularSchedule(LEARNING_RATE, total_steps=6, cut_fraction=0.5)(iterations)
        assert learning_rate(result) == pytest.approx(float(expected), rel=1e-5)
        assert learning_rate(result) < LEARNING_RATE / 2  # past the peak, on the way down

    def test_steps_per_epoch_sets_the_steps_run(self, task, data_files, tmp_path):
        result = run(task, data_files, tmp_path, "training.steps_per_epoch=3", "training.epochs=2")
        assert result["metrics"]["train_steps"] == 6 and int(result["trainer"].optimizer.iterations) == 6
        assert result["metrics"]["epochs_run"] == 2 and len(result["metrics"]["history"]) == 2
        # The other options at their values here: float32, no XLA, Adam clipped at the default norm 5.
        assert result["model"].dtype_policy.name == "float32" and result["trainer"].jit_compile is False
        optimizer = result["trainer"].optimizer
        assert isinstance(optimizer, keras.optimizers.Adam) and optimizer.global_clipnorm == pytest.approx(5.0)

    def test_time_budget_stops_after_the_batch_that_crosses_it(self, task, data_files, tmp_path):
        result = run(task, data_files, tmp_path, "training.time_budget_minutes=0.000001", "training.epochs=3")
        metrics = result["metrics"]
        assert metrics["stopped_by_time_budget"] and metrics["train_steps"] == 1 and metrics["epochs_run"] == 1

    def test_xla_steps_see_a_bounded_set_of_shapes_and_no_python_or_string_op(self, task, data_files, tmp_path,
                                                                               monkeypatch):
        """A TPU needs each step compiled once per batch shape: over a whole epoch the shapes are the
        length buckets (+1 for a last, smaller batch), and the compiled step holds no Python or string op."""
        traces = {"train_step": 0, "test_step": 0}
        for name in traces:
            original = getattr(TensorFlowTrainer, name)

            def counting(self, data, _original=original, _name=name):
                traces[_name] += 1  # Python runs only while TensorFlow traces the step
                return _original(self, data)

            monkeypatch.setattr(TensorFlowTrainer, name, counting)
        result = run(task, data_files, tmp_path, "training.jit_compile=true")  # one whole epoch
        trainer = result["trainer"]
        assert trainer.jit_compile is True and result["metrics"]["train_steps"] > 1

        # The batches that epoch fed the step, rebuilt from the saved model's config and tokenizer.
        _, tokenizer, config = load_model_directory(result["directory"], task=task)
        data = get_task(task).read_data(config, print)
        prepared = get_task(task).prepare(config, tokenizer, data.train, data.validation, print)
        shapes = {split: {tuple(tuple(t.shape) for t in tf.nest.flatten(batch)) for batch in dataset}
                  for split, dataset in (("train", prepared.train.one_pass()), ("validation", prepared.validation))}
        if task == "lm":  # fixed (batch, sequence_length) windows
            buckets = 1
        elif task == "classifier":  # lengths up to data.max_length, rounded up to pad_multiple
            buckets = -(-config.data.max_length // config.training.pad_multiple)
        elif task == "tagger":  # sentence lengths rounded up to pad_multiple; words padded to max_word_length
            buckets = -(-max(len(s.tokens) for part in (data.train, data.validation) for s in part)
                        // config.training.pad_multiple)
        else:  # (source, decoder) length pairs; pad_multiple 0 means 8 under XLA
            buckets = -(-config.data.max_source_length // 8) * -(-(config.data.max_target_length + 1) // 8)
        last = 0 if task == "lm" else 1
        for split, seen in shapes.items():
            assert 1 <= len(seen) <= buckets + last, (split, sorted(seen))
        # Keras traces a step once more for the iterator fit starts with (the program is the same).
        assert 1 <= traces["train_step"] <= len(shapes["train"]) + 1
        assert 1 <= traces["test_step"] <= len(shapes["validation"]) + 1

        forbidden = {"PyFunc", "EagerPyFunc", "PyFuncStateless"}
        # fit's train_function wraps the tf.function that runs the steps; its traced graphs hold the step's.
        compiled = [c.cell_contents for c in trainer.train_function.__closure__
                    if hasattr(c.cell_contents, "_list_all_concrete_functions")]
        graphs = [f.graph.as_graph_def() for c in compiled for f in c._list_all_concrete_functions()]
        assert graphs
        nodes = [n for g in graphs for n in list(g.node) + [m for f in g.library.function for m in f.node_def]]
        assert any("MatMul" in n.op for n in nodes)  # the walk reached the step's own computation
        assert not [n.op for n in nodes if n.op in forbidden]
        string_ops = [n.op for n in nodes if any(
            value.type == tf.string.as_datatype_enum or tf.string.as_datatype_enum in value.list.type
            for value in n.attr.values())]
        assert not string_ops

    def test_drop_remainder_trains_on_full_batches_only(self, task, data_files, tmp_path):
        # 24 leaves a remainder of the 160 sentences (sentiment, tagged) and 128 pairs; the language model's 4 streams are always full.
        batch = 4 if task == "lm" else 24
        result = run(task, data_files, tmp_path, "training.drop_remainder=true", f"training.batch_size={batch}")
        metrics = result["metrics"]
        if task == "lm":
            assert metrics["train_steps"] == (metrics["train_tokens"] // 4 - 1) // 20
        else:
            examples = metrics[{"classifier": "train_examples", "translator": "train_pairs",
                                "tagger": "train_sentences"}[task]]
            assert examples % batch and metrics["train_steps"] == examples // batch

    def test_resume_continues_from_the_checkpoint(self, task, data_files, tmp_path):
        first = run(task, data_files, tmp_path, "training.steps_per_epoch=2", "training.epochs=1")
        assert first["metrics"]["epochs_run"] == 1
        logs = []
        second = run(task, data_files, tmp_path, "training.steps_per_epoch=2", "training.epochs=2", resume=True,
                     logs=logs)
        assert any("Resuming" in line and "from epoch 1" in line for line in logs)
        assert second["metrics"]["epochs_run"] == 2 and len(second["metrics"]["history"]) == 2
        # The optimizer came back from the checkpoint: its step count goes on from the first run's.
        assert int(second["trainer"].optimizer.iterations) == 4 and second["metrics"]["train_steps"] == 2

    def test_checkpoints_inside_an_epoch_resume_at_their_batch(self, task, data_files, tmp_path):
        options = ["training.steps_per_epoch=3", "training.epochs=2", "training.checkpoint_every_minutes=1e-9"]
        whole = run(task, data_files, tmp_path / "whole", *options)

        class Crash(keras.callbacks.Callback):  # after seqtk's callbacks: step 4's checkpoint is written
            def on_train_batch_end(self, batch, logs=None):
                if int(self.model.optimizer.iterations.numpy()) == 4:
                    raise KeyboardInterrupt("killed")

        config = get_task(task).load_config(None, overrides=data_files[task] + [
            f"name={task}", f"output_dir={tmp_path}/saved", f"checkpoint_dir={tmp_path}/checkpoints",
            f"log_dir={tmp_path}/runs", "training.verbose=0", "training.time_budget_minutes=0",
            "training.jit_compile=false", f"training.learning_rate={LEARNING_RATE}",
            "training.early_stopping_patience=5", *options])
        with pytest.raises(KeyboardInterrupt):
            get_task(task).train(config, log=lambda *a: None, callbacks=[Crash()])
        logs = []
        resumed = run(task, data_files, tmp_path, *options, resume=True, logs=logs)
        assert any(f"Resuming {task} from epoch 1, batch 1" in line for line in logs)
        metrics = resumed["metrics"]
        assert metrics["train_steps"] == 2 and metrics["epochs_run"] == 2 and len(metrics["history"]) == 2
        assert metrics["history"][1]["loss"] == pytest.approx(whole["metrics"]["history"][1]["loss"], rel=1e-5)
        for a, b in zip(whole["model"].get_weights(), resumed["model"].get_weights(), strict=True):
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)

    def test_early_stopping_patience_ends_a_stalled_run(self, task, data_files, tmp_path):
        stopped = run(task, data_files, tmp_path, *STALLED, "training.lr_schedule=constant", "training.epochs=4",
                      "training.steps_per_epoch=2", "training.early_stopping_patience=1")
        assert stopped["metrics"]["epochs_run"] == 2

    def test_a_nan_loss_stops_without_saving_or_rolls_back(self, task, data_files, tmp_path):
        exploding = ["training.optimizer=sgd", "training.learning_rate=1e38", "training.clipnorm=0",
                     "training.steps_per_epoch=6"]
        with pytest.raises(NumericalFault, match=r"the loss became (nan|inf) at epoch 1, batch \d+"):
            run(task, data_files, tmp_path, *exploding)
        assert not (tmp_path / "saved" / task).exists()
        with pytest.raises(NumericalFault, match=r"after 1 rollback\(s\)"):
            run(task, data_files, tmp_path, *exploding, "training.on_nan=rollback", "training.max_rollbacks=1")

    def test_a_diverged_loss_stops_without_saving_or_rolls_back(self, task, data_files, tmp_path, monkeypatch):
        # A task's chance loss is what an untrained model scores: its first batches sit near it, below the
        # bound, which a loss that has blown up (finite or not) passes.
        task_class, seen = type(get_task(task)), []
        chance_loss = task_class.chance_loss
        monkeypatch.setattr(task_class, "chance_loss",
                            lambda self, model, prepared: seen.append(chance_loss(self, model, prepared)) or seen[-1])
        first = run(task, data_files, tmp_path, "training.steps_per_epoch=1", "training.learning_rate=1e-9",
                    "training.optimizer=sgd")
        assert 0 < first["metrics"]["history"][0]["loss"] < DIVERGENCE_FACTOR * seen[0] + DIVERGENCE_MARGIN
        # Divergence itself, made certain: a chance loss far below any real loss.
        monkeypatch.setattr(task_class, "chance_loss", lambda self, model, prepared: -100.0)
        with pytest.raises(NumericalFault, match=r"the loss diverged: the epoch's (running|mean) loss is .* "
                                                 r"above 3 x -100"):
            run(task, data_files, tmp_path / "stop", "training.steps_per_epoch=12")
        assert not (tmp_path / "stop" / "saved" / task).exists()
        logs = []
        with pytest.raises(NumericalFault, match=r"after 1 rollback\(s\)"):
            run(task, data_files, tmp_path / "rollback", "training.steps_per_epoch=12", "training.on_nan=rollback",
                "training.max_rollbacks=1", logs=logs)
        assert any("loss diverged" in line and "rollback 1 of 1" in line for line in logs)

    def test_float16_storage_halves_the_weights_and_the_card_is_the_saved_model(self, task, data_files, tmp_path):
        validation = data_files["validation_file"][task]
        extra = [f"data.validation=[{validation}]"] if task == "lm" else []  # what evaluate reads below
        result = run(task, data_files, tmp_path / "half", *extra, "training.steps_per_epoch=2",
                     "save_precision=float16", "data_license=CC0 test corpus")
        run(task, data_files, tmp_path / "full", *extra, "training.steps_per_epoch=2")
        half_bytes = (tmp_path / "half" / "saved" / task / "model.keras").stat().st_size
        full_bytes = (tmp_path / "full" / "saved" / task / "model.keras").stat().st_size
        assert full_bytes - half_bytes > 1.5 * result["metrics"]["parameters"]  # 2 bytes less per weight
        loaded, _, config = load_model_directory(result["directory"])
        assert config.save_precision == "float16" and "float16" not in {str(w.dtype) for w in loaded.weights}
        card = (tmp_path / "half" / "saved" / task / "MODEL_CARD.md").read_text()
        assert "## Data license\nCC0 test corpus" in card and "Weights stored in float16" in card
        for saved, trained in zip(loaded.get_weights(), result["model"].get_weights(), strict=True):
            np.testing.assert_array_equal(saved, trained)  # the model evaluated is the model saved
        _, report = evaluate([result["directory"]], [str(validation)])
        recorded = result["metrics"]["validation"]
        key = {"lm": "loss", "classifier": "accuracy", "tagger": "accuracy"}.get(task)
        if key:
            assert report[key] == pytest.approx(recorded[key], abs=1e-6)
        else:
            assert report["greedy"]["bleu"] == pytest.approx(recorded["greedy"]["bleu"], abs=1e-6)

    def test_clipnorm_and_optimizer_make_the_optimizer(self, task, data_files, tmp_path):
        result = run(task, data_files, tmp_path, "training.optimizer=rmsprop", "training.clipnorm=0.7",
                     "training.steps_per_epoch=2")
        optimizer = result["trainer"].optimizer
        assert isinstance(optimizer, keras.optimizers.RMSprop) and optimizer.global_clipnorm == pytest.approx(0.7)
        unclipped = run(task, data_files, tmp_path, "training.optimizer=sgd", "training.clipnorm=0",
                        "training.steps_per_epoch=2")
        assert isinstance(unclipped["trainer"].optimizer, keras.optimizers.SGD)
        assert unclipped["trainer"].optimizer.global_clipnorm is None


def test_unknown_symbols_are_counted_warned_about_and_refused_when_strict(task, data_files, tmp_path):
    validation = data_files["validation_file"][task]
    extra = [f"data.validation=[{validation}]"] if task == "lm" else []
    logs = []
    result = run(task, data_files, tmp_path, *extra, "training.steps_per_epoch=1", "training.unknown_warning=0",
                 logs=logs)
    counted = result["metrics"]["unknown_symbols"]["validation"]
    assert 0 < counted["unknown"] < counted["symbols"]
    assert any(line.startswith("Validation data") and "are not in the vocabulary and are read as <unk>" in line
               for line in logs)
    assert any(line.startswith(f"Warning: {validation}: ") for line in logs)
    card = pathlib.Path(result["directory"], "MODEL_CARD.md").read_text(encoding="utf-8")
    assert f"Validation data: {counted['unknown']:,} of {counted['symbols']:,} symbols" in card
    if task in ("classifier", "translator"):  # word vocabularies of 20,000 / 8,000 asked for, on a few hundred lines
        assert "tokenizer.vocabulary_size asked for" in card and "more than the training corpus supports" in card
        assert any("is more than this corpus supports" in line for line in logs)
    quiet = []
    run(task, data_files, tmp_path, *extra, "training.steps_per_epoch=1", "training.unknown_warning=0.99",
        logs=quiet)
    assert not any(line.startswith("Warning: ") and "not in this model's vocabulary" in line for line in quiet)
    with pytest.raises(ValueError, match=rf"^{validation}, line \d+: (Characters|Words) \[.+\] are not in this "
                                         "model's vocabulary"):
        run(task, data_files, tmp_path, *extra, "training.strict_vocabulary=true")
