"""A new task in one module: text regression, a number per text (a review's stars, a readability score).

`docs/adding-a-task.md` walks through it; `tests/tasks/example_task_test.py` registers it, trains it and runs
the generic verbs on it. Everything it does not write (config loading and checks, `--help-config`, the
optimizer and schedules, early stopping, checkpoints and `--resume`, mixed precision, XLA, distribution, the
card's frame, saving) comes from `Task` and the runner.
"""

import dataclasses

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from seqtk.data.batch_stream import BatchStream
from seqtk.data.classification_dataset import bucketed_order, encode_examples, pad_batch
from seqtk.data.labeled_text import read_labeled, read_splits
from seqtk.errors import DataError
from seqtk.layers.recurrent_stack import RecurrentStack
from seqtk.tasks import CardParts, PreparedData, Task, TaskData, register_task
from seqtk.tasks.task import validation_text
from seqtk.tokenizers.build_tokenizer import build_tokenizer
from seqtk.training.config import (
    DataConfig,
    RecurrentModelConfig,
    RunConfig,
    TokenizerConfig,
    TrainingConfig,
    at_least,
    column,
    default,
    monitor_choice,
    option,
)

# 1. The config: the shared sections, extended with what this task reads. Every field has its help.


@dataclasses.dataclass
class RegressionDataConfig(DataConfig):
    train: list = default(["bundled:sst2_sentences_train"])
    text_column: int | str = column("auto", help="The text's column: a header name or 0-based index.")
    target_column: int | str = column("label", help="The number's column: a header name or 0-based index.")
    max_length: int = at_least(64, 1, help="Tokens kept per text.")


@dataclasses.dataclass
class RegressionModelConfig(RecurrentModelConfig):
    hidden_dim: int | list = default(64)
    num_layers: int = default(1)


@dataclasses.dataclass
class RegressionTrainingConfig(TrainingConfig):
    monitor: str = monitor_choice("val_loss", "val_mean_absolute_error")
    jit_compile: bool = default(False)


@dataclasses.dataclass
class RegressionConfig(RunConfig):
    name: str = default("text_regression")
    data: RegressionDataConfig = option(default_factory=RegressionDataConfig, help="The training data.")
    tokenizer: TokenizerConfig = option(default_factory=lambda: TokenizerConfig(kind="word", vocabulary_size=8000),
                                        help="How texts become tokens.")
    model: RegressionModelConfig = option(default_factory=RegressionModelConfig, help="The network.")
    training: RegressionTrainingConfig = option(default_factory=RegressionTrainingConfig, help="How it trains.")


# 2. The model: a Keras model built from seqtk layers, serializable so `model.keras` loads it back.


@keras.saving.register_keras_serializable(package="seqtk_examples")
class TextRegressor(keras.Model):
    """An embedding, a recurrent stack, the mean of its outputs over the real tokens, one linear unit.

    Example:
    >>> model = TextRegressor(vocabulary_size=1000)
    >>> model(np.array([[5, 9, 0]])).shape
    (1,)
    """

    def __init__(self, vocabulary_size, embedding_dim=128, hidden_dim=64, num_layers=1, cell_type="lstm",
                 dropout=0.0, input_dropout=0.0, embedding_dropout=0.0, output_dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.settings = dict(vocabulary_size=vocabulary_size, embedding_dim=embedding_dim, hidden_dim=hidden_dim,
                             num_layers=num_layers, cell_type=cell_type, dropout=dropout, input_dropout=input_dropout,
                             embedding_dropout=embedding_dropout, output_dropout=output_dropout, seed=seed)
        self.embedding = keras.layers.Embedding(vocabulary_size, embedding_dim, name="embedding")
        self.recurrent = RecurrentStack(cell_type, hidden_dim, num_layers, dropout=dropout, seed=seed,
                                        name="recurrent")
        self.output_layer = keras.layers.Dense(1, name="output")

    def build(self, input_shape):
        # Built from the input shape alone, so a copy or a loaded model takes the weights without a call.
        self.embedding.build(input_shape)
        self.recurrent.build((*input_shape, self.settings["embedding_dim"]))
        self.output_layer.build((None, self.recurrent.output_dim))
        self.built = True

    def call(self, token_ids, training=None):
        mask = ops.not_equal(token_ids, 0)
        outputs, _ = self.recurrent(self.embedding(token_ids), mask=mask, training=training)
        weights = ops.expand_dims(ops.cast(mask, outputs.dtype), -1)
        mean = ops.sum(outputs * weights, axis=1) / ops.maximum(ops.sum(weights, axis=1), 1.0)
        return ops.squeeze(self.output_layer(mean), -1)

    def get_config(self):
        return {**super().get_config(), **self.settings}


# 3. The task: only what differs from the other tasks.


def _targets(examples):
    try:
        return np.array([float(e.label) for e in examples], np.float32)
    except ValueError:
        bad = next(e for e in examples if not e.label.replace(".", "", 1).lstrip("-").isdigit())
        raise DataError(f"{bad.source}, line {bad.line}: the target {bad.label!r} is not a number; give the "
                        "column of numbers as data.target_column.") from None


def _batches(tokenizer, examples, data, batch_size, shuffle, seed=0):
    sequences, targets = encode_examples(tokenizer, examples, data.max_length, "head"), _targets(examples)
    lengths = [len(s) for s in sequences]
    return BatchStream(-(-len(sequences) // batch_size),
                       lambda index: bucketed_order(lengths, batch_size, shuffle, seed=seed + index),
                       lambda indices: (pad_batch([sequences[i] for i in indices], 8), targets[indices]),
                       (tf.TensorSpec((None, None), tf.int32), tf.TensorSpec((None,), tf.float32)))


@register_task
class TextRegressionTask(Task):
    """Text regression: a number per text, trained with the mean squared error, reported as MAE and RMSE.

    Example:
    >>> task = get_task("text_regression")
    >>> task.train(task.load_config(None, overrides=["training.epochs=1"]))["metrics"]["validation"]
    """

    name = "text_regression"
    config_class = RegressionConfig
    model_class = TextRegressor

    def read_data(self, config, log):
        data = config.data
        train, valid = read_splits(lambda sources: read_labeled(
            sources, "auto", text_column=data.text_column, label_column=data.target_column), data)
        log(f"Texts: {len(train):,} train, {len(valid):,} validation.")
        return TaskData(train, valid)

    def build_tokenizer(self, config, train, log):
        return build_tokenizer(config.tokenizer, [(e.source, e.text) for e in train], log)

    def texts_by_tokenizer(self, tokenizer, data):
        return [(tokenizer, [(e.source, e.line, e.text) for e in data])]

    def file_of(self, item):
        return item.source

    def build_model(self, config, tokenizer):
        return TextRegressor(tokenizer.vocabulary_size, seed=config.training.seed, **dataclasses.asdict(config.model))

    def prepare(self, config, tokenizer, train, validation, log):
        training = config.training
        return PreparedData(
            _batches(tokenizer, train, config.data, training.batch_size, shuffle=True, seed=training.seed),
            _batches(tokenizer, validation, config.data, training.eval_batch_size, shuffle=False).one_pass(),
            statistics={"vocabulary_size": tokenizer.vocabulary_size, "train_examples": len(train)},
            extras={"validation": validation})

    def loss(self, config):
        return keras.losses.MeanSquaredError()

    def metrics(self, config):
        return [keras.metrics.MeanAbsoluteError(name="mean_absolute_error")]

    def evaluate(self, config, model, tokenizer, prepared, summary, log):
        report = self._report(model, tokenizer, prepared.extras["validation"], config, config.training.eval_batch_size)
        log(self.format_evaluation(report))
        return {"validation": report}

    def _report(self, model, tokenizer, examples, config, batch_size):
        batches = _batches(tokenizer, examples, config.data, batch_size, shuffle=False).one_pass()
        errors = np.concatenate([model.predict_on_batch(inputs) - targets.numpy() for inputs, targets in batches])
        return {"examples": len(examples), "mean_absolute_error": float(np.mean(np.abs(errors))),
                "root_mean_squared_error": float(np.sqrt(np.mean(errors ** 2)))}

    def card(self, config, metrics):
        data, report = config["data"], metrics["validation"]
        return CardParts(
            summary=[f"A {config['model']['cell_type'].upper()} text regressor ({metrics['parameters']:,} "
                     "parameters), trained with seqtk."],
            train=f"{', '.join(map(str, data['train']))} ({metrics['train_examples']:,} texts)",
            validation=validation_text(data, "texts"),
            report=[f"- MAE {report['mean_absolute_error']:.4f}, RMSE {report['root_mean_squared_error']:.4f} "
                    f"over {report['examples']:,} texts"])

    def read_evaluation_data(self, paths, options, config):
        return read_labeled(paths, options.get("format") or "auto", text_column=config.data.text_column,
                            label_column=config.data.target_column)

    def evaluate_examples(self, members, examples, batch_size, options):
        (_, model, tokenizer, config), = members
        return self._report(model, tokenizer, examples, config, batch_size)

    def format_evaluation(self, report):
        return (f"MAE {report['mean_absolute_error']:.4f}, RMSE {report['root_mean_squared_error']:.4f} "
                f"({report['examples']:,} texts)")
