"""The text-classification task (`seqtk train classifier`): many-to-one, from scratch or by ULMFiT transfer."""

import dataclasses
import math

import keras
import numpy as np
import tensorflow as tf

from seqtk.data.classification_dataset import (
    classification_batches,
    encode_examples,
    label_ids,
    label_names,
    pad_batch,
)
from seqtk.data.example_stream import (
    ExampleFiles,
    StreamedBatches,
    check_streaming,
    labeled_files,
    streamed_sample,
)
from seqtk.data.labeled_text import read_labeled, read_splits
from seqtk.inference.classifier_ensemble import ClassifierEnsemble
from seqtk.inference.classifier_evaluation import evaluate_classifier
from seqtk.metrics.classification import format_report
from seqtk.models.text_classifier import TextClassifier
from seqtk.tasks.classifier_config import (
    ClassifierConfig,
)
from seqtk.tasks.language_model import load_transfer_pair
from seqtk.tasks.registry import register_task
from seqtk.tasks.task import CardParts, PreparedData, Task, TaskData, validation_text
from seqtk.tokenizers.build_tokenizer import build_tokenizer
from seqtk.training.layerwise_trainer import GroupScheduleCallback, LayerwiseTrainer

# Settings a transferred classifier takes from its language model rather than from the config.
TRANSFERRED = ("embedding_dim", "hidden_dim", "num_layers", "cell_type", "residual", "reverse")


def read_classification_data(data):
    """`(train, validation)` examples from a `ClassifierDataConfig`."""
    read = lambda sources: read_labeled(  # noqa: E731
        sources, data.format, text_column=data.text_column, label_column=data.label_column)
    return read_splits(read, data)


@register_task
class ClassifierTask(Task):
    """Text classification: accuracy, macro-F1, per-class report and confusion matrix.

    `--init-from` (or `init_from`) a seqtk language model transfers its tokenizer, embedding and
    recurrent layers (ULMFiT); `training.discriminative_decay` and `training.gradual_unfreezing` then
    give each layer group its own rate.

    Example:
    >>> task = get_task("classifier")
    >>> task.train(task.load_config("sst2_ulmfit_bidirectional"))["metrics"]["validation"]["accuracy"]
    """

    name = "classifier"
    config_class = ClassifierConfig
    model_class = TextClassifier
    retired_keys = ("training.pipeline", "training.sequence_length")
    takes_init_from = True
    evaluates_several_models = True

    def read_data(self, config, log):
        data = config.data
        if data.streaming:
            check_streaming(data)
            train = labeled_files(data.train, data.format, data.text_column, data.label_column)
            labels, count, how = label_names(train.labels), train.count, f" (read from {len(train.sources)} " \
                "file(s) a piece at a time)"
            train = [train]
            valid = read_labeled(data.validation, data.format, text_column=data.text_column,
                                 label_column=data.label_column)
        else:
            train, valid = read_classification_data(data)
            labels, count, how = label_names(e.label for e in train), len(train), ""
            if len(labels) < 2:
                raise ValueError(f"{', '.join(map(str, data.train))}: every training example has the label "
                                 f"{labels[0]!r}; a classifier needs at least two labels.")
        log(f"Examples: {count:,} train{how}, {len(valid):,} validation; labels {labels}.")
        return TaskData(train, valid, {"labels": labels})

    def build_tokenizer(self, config, train, log):
        train = streamed_sample(train, log)
        return build_tokenizer(config.tokenizer, [(e.source, e.text) for e in train], log)

    def file_of(self, item):
        return ", ".join(item.sources) if isinstance(item, ExampleFiles) else item.source

    def texts_by_tokenizer(self, tokenizer, data):
        data = streamed_sample(data)
        return [(tokenizer, [(e.source, e.line, e.text) for e in data])]

    def build_model(self, config, tokenizer):
        return TextClassifier(tokenizer.vocabulary_size, len(config.labels), seed=config.training.seed,
                              **dataclasses.asdict(config.model))

    def initialize_from(self, config, directory, log):
        language_model, tokenizer, base, backward = load_transfer_pair(directory, config.init_from_backward,
                                                                        "A classifier")
        if config.model.bidirectional and backward is None:
            log("A classifier transferred from one language model reads in its direction only, so it is "
                "unidirectional; init_from_backward gives it a backward direction.")
        head = {k: v for k, v in dataclasses.asdict(config.model).items()
                if k not in TRANSFERRED + ("bidirectional",)}
        model = TextClassifier.from_language_model(language_model, len(config.labels), backward=backward,
                                                   seed=config.training.seed, **head)
        if backward is not None:
            log(f"Transferred from {directory} (forward) and {config.init_from_backward} (backward): a "
                f"bidirectional {model.num_layers} x {model.recurrent.hidden_dims[0]} {model.cell_type.upper()}, "
                f"word vectors {model.embedding_dim} (both models' side by side).")
        hidden_dim = model.hidden_dim if isinstance(model.hidden_dim, int) else [int(d) for d in model.hidden_dim]
        settings = {f"model.{key}": getattr(model, key) for key in TRANSFERRED + ("bidirectional",)}
        return model, tokenizer, {**settings, "model.hidden_dim": hidden_dim, "tokenizer": base.tokenizer}

    def prepare(self, config, tokenizer, train, validation, log):
        data, training = config.data, config.training

        def encode(examples):
            return encode_examples(tokenizer, examples, data.max_length, data.truncation)

        if isinstance(train[0], ExampleFiles):
            files = train[0]
            train_data = StreamedBatches(
                files, training.batch_size,
                encode=lambda examples: list(zip(encode(examples), label_ids(examples, config.labels), strict=True)),
                length=lambda item: len(item[0]),
                make_batch=lambda items: (pad_batch([i[0] for i in items], training.pad_multiple),
                                          np.array([i[1] for i in items], dtype=np.int32)),
                signature=(tf.TensorSpec((None, None), tf.int32), tf.TensorSpec((None,), tf.int32)),
                seed=training.seed, drop_remainder=training.drop_remainder)
            train_count = files.count
        else:
            train_sequences = encode(train)
            log(f"Tokens: {sum(map(len, train_sequences)):,} train (texts cut to {data.max_length or 'any'} "
                f"tokens); vocabulary {tokenizer.vocabulary_size}.")
            train_data = classification_batches(train_sequences, label_ids(train, config.labels),
                                                training.batch_size, shuffle=True, seed=training.seed,
                                                pad_multiple=training.pad_multiple,
                                                drop_remainder=training.drop_remainder)
            train_count = len(train)
        valid_data = classification_batches(encode(validation), label_ids(validation, config.labels),
                                            training.eval_batch_size, shuffle=False,
                                            pad_multiple=training.pad_multiple).one_pass()
        return PreparedData(train_data, valid_data,
                            statistics={"vocabulary_size": tokenizer.vocabulary_size, "train_examples": train_count},
                            extras={"validation": validation})

    @staticmethod
    def _layerwise(training):
        return training.discriminative_decay != 1.0 or training.gradual_unfreezing

    def trainer(self, model, config):
        return LayerwiseTrainer(model, layerwise=self._layerwise(config.training))

    def model_of(self, trainer):
        return trainer.model

    def loss(self, config):
        return keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def chance_loss(self, model, prepared):
        return math.log(model.num_classes)

    def metrics(self, config):
        return [keras.metrics.SparseCategoricalAccuracy(name="accuracy")]

    def callbacks(self, config, model, tokenizer, prepared, log):
        training = config.training
        if not self._layerwise(training):
            return []
        return [GroupScheduleCallback(training.discriminative_decay, training.gradual_unfreezing, log)]

    def evaluate(self, config, model, tokenizer, prepared, summary, log):
        data = config.data
        report, _ = evaluate_classifier(model, tokenizer, prepared.extras["validation"], config.labels,
                                        data.max_length, data.truncation, config.training.eval_batch_size)
        log("Validation:\n" + format_report(report))
        return {"validation": report}

    def card(self, config, metrics):
        model, training, data = config["model"], config["training"], config["data"]
        direction = "bidirectional " if model["bidirectional"] else "right-to-left " if model.get("reverse") else ""
        backward = config.get("init_from_backward")
        transfer = (f"- Transfer: embedding and recurrent layers from the language model `{config['init_from']}` "
                    + (f"(forward directions) and `{backward}` (backward directions) " if backward else "")
                    + f"(ULMFiT); discriminative decay {training['discriminative_decay']}, gradual unfreezing "
                    f"{training['gradual_unfreezing']}, schedule {training['lr_schedule']}"
                    if config["init_from"] else "- Trained from scratch")
        return CardParts(
            summary=[f"A {direction}{model['num_layers']}-layer {model['cell_type'].upper()} text classifier with "
                     f"{model['pooling']} pooling ({config['tokenizer']['kind']} tokens, vocabulary "
                     f"{metrics['vocabulary_size']}, {metrics['parameters']:,} parameters), trained with seqtk.",
                     f"Labels, in output order: {', '.join(config['labels'])}."],
            train=f"{', '.join(map(str, data['train']))} ({metrics['train_examples']:,} texts)",
            validation=f"{validation_text(data, 'rows')} ({metrics['validation']['examples']:,} texts)",
            data=[f"- Texts cut to {data['max_length'] or 'unlimited'} tokens ({data['truncation']})"],
            training=[transfer], report=["```", format_report(metrics["validation"]), "```"])

    def read_evaluation_data(self, paths, options, config):
        data = config.data
        return read_labeled(paths, options.get("format") or data.format,
                            text_column=options.get("text_column") or data.text_column,
                            label_column=options.get("label_column") or data.label_column)

    def evaluate_examples(self, members, examples, batch_size, options):
        ensemble = ClassifierEnsemble([member[1:] for member in members], names=[member[0] for member in members])
        return ensemble.evaluate(examples, batch_size)[0]

    def format_evaluation(self, report):
        lines = [format_report(report)]
        for member in report.get("members", []):
            lines.append(f"member {member['model']}: accuracy {member['accuracy']:.4f}   "
                         f"macro-F1 {member['macro_f1']:.4f}")
        return "\n".join(lines)
