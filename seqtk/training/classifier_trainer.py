"""Training a text classifier from a config: labelled data, tokenizer, optional ULMFiT transfer, fit, report."""

import dataclasses
import os
import time

import keras

from seqtk.data.classification_dataset import classification_dataset, encode_examples, label_ids, label_names
from seqtk.data.labeled_text import read_labeled, read_splits
from seqtk.metrics.classification import format_report
from seqtk.models.language_model import LanguageModel
from seqtk.models.model_directory import load_model_directory
from seqtk.models.text_classifier import TextClassifier
from seqtk.tokenizers.tokenizer import load_tokenizer
from seqtk.training.callbacks import CheckpointCallback, TimeBudgetCallback, resume_training_state
from seqtk.training.classifier_evaluation import evaluate_classifier
from seqtk.training.language_model_trainer import (
    build_tokenizer,
    fit_verbosity,
    make_optimizer,
    save_trained_model,
    training_summary,
)
from seqtk.training.layerwise_trainer import GroupScheduleCallback, LayerwiseTrainer
from seqtk.training.model_card import classifier_card
from seqtk.training.slanted_triangular_schedule import SlantedTriangularSchedule

LR_SCHEDULES = ("plateau", "constant", "slanted_triangular")
# Settings a transferred classifier takes from its language model rather than from the config.
TRANSFERRED = ("embedding_dim", "hidden_dim", "num_layers", "cell_type", "residual", "reverse")


def read_classification_data(data):
    """`(train, validation)` examples from a `ClassifierDataConfig`."""
    read = lambda sources: read_labeled(  # noqa: E731
        sources, data.format, text_column=data.text_column, label_column=data.label_column)
    return read_splits(read, data)


def _transferred_model(config, init_from, num_classes, log):
    language_model, tokenizer, base_config = load_model_directory(init_from)
    if not isinstance(language_model, LanguageModel):
        raise ValueError(
            f"{init_from}: holds a {type(language_model).__name__}, not a language model. ULMFiT transfer "
            "starts from a model trained with `seqtk train lm`; give that model's directory."
        )
    if config.model.bidirectional:
        log("A transferred classifier reads in its language model's direction only, so it is unidirectional.")
    head = {k: v for k, v in dataclasses.asdict(config.model).items() if k not in TRANSFERRED + ("bidirectional",)}
    model = TextClassifier.from_language_model(language_model, num_classes, seed=config.training.seed, **head)
    hidden_dim = model.hidden_dim if isinstance(model.hidden_dim, int) else [int(d) for d in model.hidden_dim]
    config.model = dataclasses.replace(
        config.model, bidirectional=False, embedding_dim=model.embedding_dim, hidden_dim=hidden_dim,
        num_layers=model.num_layers, cell_type=model.cell_type, residual=model.residual, reverse=model.reverse,
    )
    config.tokenizer = dataclasses.replace(config.tokenizer, **(base_config or {}).get("tokenizer", {}))
    return model, tokenizer


def train_classifier(config, init_from=None, resume=False, command=None, log=print):
    """Trains, evaluates and saves a text classifier as `config` (a `ClassifierConfig`) says.

    Args:
        init_from: a saved seqtk language model whose tokenizer, embedding and
            recurrent layers the classifier starts from (ULMFiT); defaults to
            `config.init_from`.
        resume: continue from the checkpoint in `config.checkpoint_dir/<name>`.
        command: the command line recorded in the model card.

    Returns:
        dict with the saved `directory` and the `metrics`.
    """
    training, data = config.training, config.data
    if training.lr_schedule not in LR_SCHEDULES:
        raise ValueError(f"training.lr_schedule must be one of {LR_SCHEDULES} for a classifier; "
                         f"received {training.lr_schedule!r}.")
    keras.utils.set_random_seed(training.seed)
    init_from = init_from or config.init_from
    config.init_from = init_from or ""
    checkpoint_dir = os.path.join(config.checkpoint_dir, config.name)

    train_examples, valid_examples = read_classification_data(data)
    config.labels = label_names(e.label for e in train_examples)
    if len(config.labels) < 2:
        raise ValueError(f"{', '.join(map(str, data.train))}: every training example has the label "
                         f"{config.labels[0]!r}; a classifier needs at least two labels.")
    log(f"Examples: {len(train_examples):,} train, {len(valid_examples):,} validation; labels {config.labels}.")

    restored, restored_state = resume_training_state(checkpoint_dir, resume, log)
    if restored is not None:
        tokenizer, model = load_tokenizer(checkpoint_dir), restored.model
    elif init_from:
        model, tokenizer = _transferred_model(config, init_from, len(config.labels), log)
    else:
        tokenizer = build_tokenizer(config, [(e.source, e.text) for e in train_examples])
        model = TextClassifier(tokenizer.vocabulary_size, len(config.labels), seed=training.seed,
                               **dataclasses.asdict(config.model))

    encode = lambda examples: encode_examples(tokenizer, examples, data.max_length, data.truncation)  # noqa: E731
    train_sequences, valid_sequences = encode(train_examples), encode(valid_examples)
    train_labels = label_ids(train_examples, config.labels)
    valid_labels = label_ids(valid_examples, config.labels)
    log(f"Tokens: {sum(map(len, train_sequences)):,} train (texts cut to {data.max_length or 'any'} tokens); "
        f"vocabulary {tokenizer.vocabulary_size}.")
    train_data = classification_dataset(train_sequences, train_labels, training.batch_size, shuffle=True,
                                        seed=training.seed, pad_multiple=training.pad_multiple)
    valid_data = classification_dataset(valid_sequences, valid_labels, training.eval_batch_size, shuffle=False,
                                        pad_multiple=training.pad_multiple)
    layerwise = training.discriminative_decay != 1.0 or training.gradual_unfreezing

    if restored is not None:
        trainer = restored
        initial_epoch = restored_state["epoch"] + 1
        log(f"Resuming {config.name} from epoch {initial_epoch} ({checkpoint_dir}).")
    else:
        steps = -(-len(train_sequences) // training.batch_size) * training.epochs
        learning_rate = (SlantedTriangularSchedule(training.learning_rate, steps, training.cut_fraction)
                         if training.lr_schedule == "slanted_triangular" else training.learning_rate)
        trainer = LayerwiseTrainer(model, layerwise=layerwise)
        trainer.compile(
            optimizer=make_optimizer(training, learning_rate),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
            jit_compile=training.jit_compile,
        )
        initial_epoch = 0
        os.makedirs(checkpoint_dir, exist_ok=True)
        tokenizer.save(checkpoint_dir)

    early_stopping = keras.callbacks.EarlyStopping(
        monitor=training.monitor, patience=training.early_stopping_patience, restore_best_weights=True)
    watched = [early_stopping]
    callbacks = [early_stopping]
    if training.lr_schedule == "plateau":
        plateau = keras.callbacks.ReduceLROnPlateau(
            monitor=training.monitor, factor=training.lr_decay_factor, patience=training.lr_decay_patience,
            min_lr=training.min_learning_rate, verbose=1)
        watched.append(plateau)
        callbacks.append(plateau)
    if layerwise:
        callbacks.insert(0, GroupScheduleCallback(training.discriminative_decay, training.gradual_unfreezing, log))
    checkpoint = CheckpointCallback(checkpoint_dir, watched=watched, early_stopping=early_stopping)
    checkpoint.restored = restored_state
    callbacks += [checkpoint, keras.callbacks.TensorBoard(os.path.join(config.log_dir, config.name),
                                                          write_graph=False)]
    budget = TimeBudgetCallback(training.time_budget_minutes) if training.time_budget_minutes else None
    if budget:
        callbacks.append(budget)

    start = time.monotonic()
    history = trainer.fit(
        train_data, validation_data=valid_data, epochs=training.epochs, initial_epoch=initial_epoch,
        callbacks=callbacks, verbose=fit_verbosity(training.verbose),
        shuffle=False,  # the dataset reshuffles itself, within length buckets
    )
    seconds = time.monotonic() - start

    report, _ = evaluate_classifier(model, tokenizer, valid_examples, config.labels, data.max_length,
                                    data.truncation, training.eval_batch_size)
    log("Validation:\n" + format_report(report))
    metrics = {
        "validation": report,
        "vocabulary_size": tokenizer.vocabulary_size,
        "parameters": int(model.count_params()),
        "train_examples": len(train_examples),
        **training_summary(len(history.epoch) + initial_epoch, budget, seconds, checkpoint),
    }
    return save_trained_model(config, model, tokenizer, metrics, classifier_card, command, log)
