"""The one training run every task goes through: seed, precision, data, model, fit, evaluation, saving."""

import contextlib
import dataclasses
import json
import os
import platform
import shlex
import sys
import time

import keras

from seqtk.models.model_directory import copy_model, round_weights, save_model_directory
from seqtk.tokenizers.tokenizer import load_tokenizer
from seqtk.tokenizers.unknown_symbols import report_unknown, unknown_symbol_policy
from seqtk.training.bfloat16_support import cpu_bfloat16_messages
from seqtk.training.callbacks import TimeBudgetCallback, step_decay_schedule
from seqtk.training.checkpoint import (
    CheckpointCallback,
    resume_position,
    resume_training_state,
    write_json_atomically,
)
from seqtk.training.config import monitor_mode, resolve_config
from seqtk.training.distribution import check_batch_sizes, choose_distribution
from seqtk.training.model_card import starting_points
from seqtk.training.numerical_fault import NumericalFault, NumericalFaultCallback
from seqtk.training.optimizer import make_optimizer
from seqtk.training.run_lock import run_lock
from seqtk.training.slanted_triangular_schedule import SlantedTriangularSchedule
from seqtk.training.vocabulary_extension import extend_vocabulary

# training.mixed_precision -> the Keras dtype policy the run builds its model under.
PRECISION_POLICIES = {"none": "float32", "float16": "mixed_float16", "bfloat16": "mixed_bfloat16"}
GROWTH_FILE = "vocabulary_growth.json"  # beside a checkpoint: what fine-tuning added to the vocabulary


def machine_description():
    return f"{platform.machine()} CPU, {os.cpu_count()} cores, {platform.system()}"


def fit_verbosity(value):
    """`training.verbose` as `fit` takes it: `"auto"` or an integer."""
    return value if value == "auto" else int(value)


def check_precision(mixed_precision, device_types=None):
    """Refuses a 16-bit mode the devices cannot compute in, before any data is read: TPUs have no float16."""
    if mixed_precision != "float16":
        return
    if device_types is None:
        import tensorflow as tf

        device_types = {device.device_type for device in tf.config.list_logical_devices()}
    if "TPU" in device_types:
        raise ValueError("training.mixed_precision=float16: TPUs compute in bfloat16, not float16; set "
                         "training.mixed_precision=bfloat16.")


@contextlib.contextmanager
def precision_policy(mixed_precision):
    """Keras' global dtype policy for the run (models are built under it), restored afterwards.

    `mixed_precision` is `training.mixed_precision`: none, float16 or bfloat16. Under float16 Keras wraps
    the optimizer in a `LossScaleOptimizer` (dynamic loss scaling) when the trainer is compiled.
    """
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(PRECISION_POLICIES[mixed_precision])
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy(previous)


def learning_rate_of(training, steps_per_epoch):
    """The optimizer's learning rate: a number, or ULMFiT's slanted triangular schedule over the whole run."""
    if training.lr_schedule == "slanted_triangular":
        return SlantedTriangularSchedule(training.learning_rate, steps_per_epoch * training.epochs,
                                         training.cut_fraction)
    return training.learning_rate


def schedule_callbacks(training, mode, scale=lambda: 1.0):
    """`(callbacks, watched)`: the per-epoch learning-rate callbacks of `lr_schedule`, and those of them
    whose patience a checkpoint keeps. `scale()` multiplies the step schedule's rate (rollbacks halve it)."""
    if training.lr_schedule == "plateau":
        plateau = keras.callbacks.ReduceLROnPlateau(
            monitor=training.monitor, mode=mode, factor=training.lr_decay_factor,
            patience=training.lr_decay_patience, min_lr=training.min_learning_rate, verbose=1)
        return [plateau], [plateau]
    if training.lr_schedule == "step":
        schedule = step_decay_schedule(training.learning_rate, training.lr_decay_factor,
                                       training.lr_decay_start_epoch)
        return [keras.callbacks.LearningRateScheduler(lambda epoch, rate=None: schedule(epoch) * scale())], []
    return [], []  # constant, or slanted_triangular (a schedule inside the optimizer)


def _reported(task, tokenizer, data, what):
    """The unknown symbols of `data` (reported, or an error under `strict_vocabulary`), summed over the
    task's tokenizers."""
    total = {"symbols": 0, "unknown": 0, "most_frequent": {}}
    for side, texts, *label in task.texts_by_tokenizer(tokenizer, data):
        count = report_unknown(side, texts, f"{what} ({label[0]})" if label else what, corpus=True).to_dict()
        total["symbols"] += count["symbols"]
        total["unknown"] += count["unknown"]
        for symbol, n in count["most_frequent"].items():
            total["most_frequent"][symbol] = total["most_frequent"].get(symbol, 0) + n
    total["share"] = round(total["unknown"] / total["symbols"], 6) if total["symbols"] else 0.0
    return total


class _OneRun(keras.callbacks.CallbackList):
    """The run's callbacks for `fit` calls that make one training run: a run resumed inside an epoch
    finishes that epoch with one call and goes on with another, and its callbacks still see one
    `on_train_begin` and one `on_train_end` (a time budget, patience and logs span both)."""

    def __init__(self, callbacks):
        super().__init__(callbacks)
        self.begun = self.ending = False

    def on_train_begin(self, logs=None):
        if not self.begun:
            self.begun = True
            super().on_train_begin(logs)

    def on_train_end(self, logs=None):
        if self.ending:
            super().on_train_end(logs)


def fit_from(trainer, stream, validation, distribution, sharding, callbacks, epochs, initial_epoch, batch,
             steps_per_epoch, verbose):
    """Runs `fit` from batch `batch` of epoch `initial_epoch` to the end of `epochs`; returns the epochs run.

    The training data is `stream` (a `BatchStream`) from that batch on. Keras starts every epoch at its
    first step, so a run resumed inside an epoch takes two `fit` calls: the rest of that epoch, then the
    epochs after it.
    """
    run = _OneRun(callbacks)
    segments = [(initial_epoch, initial_epoch + 1, steps_per_epoch - batch)] if batch else []
    segments.append((initial_epoch + (1 if batch else 0), epochs, steps_per_epoch))
    epochs_run = 0
    for index, (first, last, steps) in enumerate(segments):
        stream.seek(first * steps_per_epoch + (steps_per_epoch - steps))
        train, valid = stream.dataset(), validation
        if sharding == "file":
            train, valid = distribution.per_worker(train, valid)
        else:
            train, valid = distribution.shard(train, valid)
        final = index == len(segments) - 1
        run.ending = final
        history = trainer.fit(
            train, validation_data=valid, epochs=last, initial_epoch=first, steps_per_epoch=steps,
            callbacks=[run], verbose=verbose,
            shuffle=False,  # the streams shuffle themselves (within length buckets, or not at all for text streams)
        )
        epochs_run += len(history.epoch)
        if trainer.stop_training and not final:
            run.ending = True
            run.on_train_end()
            break
    return epochs_run


def default_command():
    return " ".join(shlex.quote(a) for a in ["seqtk"] + sys.argv[1:])


def run_training(task, config, init_from=None, resume=False, command=None, log=print, callbacks=()):
    """Trains, evaluates and saves a model of `task` (a `seqtk.tasks.Task`) as `config` says.

    Every generic option of `config.training` is applied here, the same way for every task: the seed,
    mixed precision, the optimizer with clipping and weight decay, the learning-rate schedule, early
    stopping on the task's monitored value, a crash-safe checkpoint every epoch (and `resume`), the time
    budget, `steps_per_epoch`, XLA, TensorBoard and progress bars. The task supplies its data, tokenizer,
    model, datasets, extra callbacks, evaluation and model card.

    Args:
        init_from: a saved model directory the task starts from (fine-tuning, transfer), if it takes one.
        resume: continue from the checkpoint in `config.checkpoint_dir/<name>`.
        command: the command line recorded in the model card (default: this process's).
        callbacks: more Keras callbacks for `fit`, run after seqtk's own.

    Returns:
        dict with the saved `directory`, the `metrics`, the trained `model`, the `trainer` that `fit` ran
        (the model or its training wrapper, compiled, with its optimizer) and the `config` as the run
        resolved it (labels, tags, a base model's settings; `config` itself is left as it was).
    """
    init_from = init_from or getattr(config, "init_from", "")
    task.check_init_from(init_from)
    if init_from and hasattr(config, "init_from"):
        config = resolve_config(config, {"init_from": init_from}, "--init-from")
    training = config.training
    distribution = choose_distribution(training.distribution, log)
    # The batch sizes `fit` splits across replicas: training's, and the one its validation batches have.
    check_batch_sizes(distribution, [(f"training.{key}", getattr(training, key))
                                     for key in dict.fromkeys(["batch_size", task.validation_batch])])
    if distribution.kind == "multi_worker" and (training.checkpoint_every_steps or training.checkpoint_every_minutes):
        log("Checkpoints at epoch ends only: the workers of a multi-worker run each read their own data and "
            "carry their own state, which one checkpoint inside an epoch would not hold "
            "(training.checkpoint_every_steps and checkpoint_every_minutes are for one machine).")
        config = resolve_config(config, {"training.checkpoint_every_steps": 0,
                                         "training.checkpoint_every_minutes": 0.0}, "a multi-worker run")
    check_precision(training.mixed_precision, {"TPU"} if distribution.kind == "tpu" else None)
    log(distribution.describe(training.batch_size))
    if distribution.kind == "tpu" and not training.drop_remainder:
        config = resolve_config(config, {"training.drop_remainder": True}, "a TPU run")
        log("training.drop_remainder is on: a TPU compiles one program per batch shape, so every batch is full.")
    training = config.training
    jit_compile, conflict = training.jit_compile, distribution.xla_conflict()
    if jit_compile and conflict:
        log(conflict)
        jit_compile = False
    if training.mixed_precision == "bfloat16" and distribution.on_cpus:
        for message in cpu_bfloat16_messages(jit_compile):
            log(message)
        jit_compile = False
    chief = distribution.chief  # only the chief writes checkpoints, logs and the model
    command = command or default_command()
    # Two runs of one name would overwrite each other's checkpoints and model: the second stops here.
    written = [os.path.join(config.checkpoint_dir, config.name), os.path.join(config.output_dir, config.name)]
    with run_lock(written, command) if chief else contextlib.nullcontext(), \
            precision_policy(training.mixed_precision), contextlib.ExitStack() as distributed, \
            unknown_symbol_policy(training.strict_vocabulary, training.unknown_warning, log):
        # Models, optimizers and metrics are made under the strategy's scope; evaluation leaves it (below).
        distributed.enter_context(distribution.scope())
        # A model built under a strategy evaluates through it (Keras would hand each replica the whole
        # batch); the evaluations run on a one-device copy, as on a user's machine.
        one_device = (lambda m: copy_model(m)) if distribution.strategy is not None else (lambda m: m)
        keras.utils.set_random_seed(training.seed)
        checkpoint_dir = os.path.join(config.checkpoint_dir, config.name)
        data = task.read_data(config, log)
        train_data, valid_data = data.train, data.validation
        # The config as this run resolved it, checked once: what the data set (labels, tags) is in it.
        config = resolve_config(config, data.settings, "the training data")
        config.validate()
        training = config.training

        restored, restored_state = resume_training_state(checkpoint_dir, resume, log)
        if restored is not None:
            tokenizer, trainer = load_tokenizer(checkpoint_dir), restored
            model = task.model_of(trainer)
        elif init_from:
            model, tokenizer, settings = task.initialize_from(config, init_from, log)
            config = resolve_config(config, settings, init_from)
            training = config.training
        else:
            tokenizer = task.build_tokenizer(config, train_data, log)
            model = task.build_model(config, tokenizer)
        growth_file = os.path.join(checkpoint_dir, GROWTH_FILE)
        growth = {}
        if restored is not None and os.path.exists(growth_file):
            with open(growth_file, encoding="utf-8") as handle:
                growth = json.load(handle)  # what the interrupted run added, for its metrics and card
        if init_from and restored is None and training.extend_vocabulary:
            model, tokenizer, growth = extend_vocabulary(
                model, tokenizer, task.texts_by_tokenizer(tokenizer, train_data), training.extend_min_count, log)
        unknown = {split: _reported(task, tokenizer, data, f"{split.capitalize()} data")
                   for split, data in (("training", train_data), ("validation", valid_data))}
        files = list(dict.fromkeys(map(task.file_of, train_data))) if distribution.kind == "multi_worker" else []
        sharding = distribution.sharding(training.shard, files, log)
        if sharding == "file":
            # This worker's files, batched at its share of the global batch; the tokenizer (built from
            # every file above) is the same on every worker.
            mine = set(distribution.files_of_worker(files))
            share = dataclasses.replace(config, training=dataclasses.replace(
                training, batch_size=training.batch_size // distribution.workers,
                eval_batch_size=training.eval_batch_size // distribution.workers))
            prepared = task.prepare(share, tokenizer, [i for i in train_data if task.file_of(i) in mine],
                                    valid_data, log)
        else:
            prepared = task.prepare(config, tokenizer, train_data, valid_data, log)
        stream = prepared.train  # a BatchStream: pass after pass, able to start at any batch
        steps_per_epoch = training.steps_per_epoch or len(stream)
        if sharding == "file" and not training.steps_per_epoch:
            # Every worker takes the same steps (collectives need all of them): as many as the smallest shard.
            steps_per_epoch = distribution.agreed_minimum(steps_per_epoch)
            log(f"Each epoch: {steps_per_epoch} steps, the batches of the smallest worker's files.")

        if restored is not None:
            initial_epoch, batch = resume_position(restored_state, steps_per_epoch)
            where = f"epoch {initial_epoch}" + (f", batch {batch}" if batch else "")
            log(f"Resuming {config.name} from {where} ({checkpoint_dir}).")
        else:
            initial_epoch, batch = 0, 0
            trainer = task.trainer(model, config)
            trainer.compile(
                optimizer=make_optimizer(training, learning_rate_of(training, steps_per_epoch)),
                loss=task.loss(config), metrics=task.metrics(config), jit_compile=jit_compile)
            if chief:
                os.makedirs(checkpoint_dir, exist_ok=True)
                tokenizer.save(checkpoint_dir)
                if growth:
                    write_json_atomically(growth_file, growth)
                elif os.path.exists(growth_file):
                    os.remove(growth_file)  # left by an earlier run of this name
        before = task.before_training(config, one_device(model), tokenizer, prepared, log) \
            if init_from and restored is None else {}

        mode = monitor_mode(training.monitor)
        early_stopping = keras.callbacks.EarlyStopping(
            monitor=training.monitor, mode=mode, patience=training.early_stopping_patience,
            restore_best_weights=True)
        # First among the callbacks: a bad batch is undone before any other callback sees the weights.
        fault = NumericalFaultCallback(training.on_nan, training.max_rollbacks, log,
                                       chance_loss=task.chance_loss(model, prepared))
        decay, watched = schedule_callbacks(training, mode, scale=lambda: fault.scale)
        checkpoint = CheckpointCallback(checkpoint_dir, watched=[early_stopping] + watched,
                                        early_stopping=early_stopping, write=chief, fault=fault,
                                        every_steps=training.checkpoint_every_steps,
                                        every_minutes=training.checkpoint_every_minutes,
                                        steps_per_epoch=steps_per_epoch)
        checkpoint.restored = restored_state
        # The task's callbacks come first: they add the values (val_bleu, ...) that the others watch.
        extra = list(callbacks)
        callbacks = [fault] + task.callbacks(config, model, tokenizer, prepared, log) + decay + [
            early_stopping, checkpoint]
        if chief:
            callbacks.append(keras.callbacks.TensorBoard(os.path.join(config.log_dir, config.name), write_graph=False))
        budget = TimeBudgetCallback(training.time_budget_minutes) if training.time_budget_minutes else None
        if budget:
            callbacks.append(budget)
        callbacks += extra

        # fit runs the steps under the trainer's strategy; callbacks run outside it, so that what only the
        # chief does (checkpoints, logs) creates no variable the other workers would have to mirror.
        distributed.close()
        start_step = int(trainer.optimizer.iterations.numpy())
        start = time.monotonic()
        with distribution.worker_loss_explained(checkpoint):
            epochs_run = fit_from(trainer, stream, validation=prepared.validation, distribution=distribution,
                                  sharding=sharding, callbacks=callbacks, epochs=training.epochs,
                                  initial_epoch=initial_epoch, batch=batch, steps_per_epoch=steps_per_epoch,
                                  verbose=fit_verbosity(training.verbose))
        seconds = time.monotonic() - start
        if fault.stopped:
            raise NumericalFault(fault.message(checkpoint_dir))
        model = one_device(model)
        summary = {
            # The optimizer counts the steps really taken, a time budget's partial epoch included.
            "train_steps": int(trainer.optimizer.iterations.numpy()) - start_step,
            "training_seconds": seconds,
            "before": before,
        }
        round_weights(model, config.save_precision)  # evaluated as saved
        metrics = {
            **task.evaluate(config, model, tokenizer, prepared, summary, log),
            "parameters": int(model.count_params()),
            **prepared.statistics,
            "train_steps": summary["train_steps"],
            **before,
            "epochs_run": epochs_run + initial_epoch,
            "stopped_by_time_budget": bool(budget and budget.stopped_early),
            # A resumed run's time includes the runs before it (up to the checkpoint it resumed from).
            "training_seconds": seconds + checkpoint.earlier_seconds,
            **({"resumed_after_seconds": checkpoint.earlier_seconds} if checkpoint.earlier_seconds else {}),
            "machine": machine_description(),
            "distribution": {"kind": distribution.kind, "replicas": distribution.replicas,
                             "workers": distribution.workers},
            "history": checkpoint.history,
            **({"numerical_rollbacks": fault.rollbacks} if fault.rollbacks else {}),
            "unknown_symbols": unknown,
            **({"vocabulary_growth": growth} if growth else {}),
        }
        sources = task.starts_from(config, init_from)
        if sources:
            metrics["starts_from"] = starting_points(sources)
        round_weights(model, config.save_precision)  # and what evaluation recorded (a start state) is stored so
        config_dict = config.to_dict()
        directory = None
        if chief:
            directory = save_model_directory(
                os.path.join(config.output_dir, config.name), model, tokenizer,
                config={"task": task.name, **config_dict},
                metrics=metrics, model_card=task.model_card(config_dict, metrics, command),
                precision=config.save_precision,
            )
    log(f"Saved {directory}" if chief else f"Worker {distribution.worker_index} done; the chief saves the model.")
    return {"directory": directory, "metrics": metrics, "model": model, "trainer": trainer, "config": config}
