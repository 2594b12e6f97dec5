"""Training a language model from a config: data, tokenizer, model, fit, evaluation, saving."""

import dataclasses
import os
import platform
import shlex
import sys
import time

import keras

from seqtk.data.labeled_text import read_labeled, read_splits
from seqtk.data.language_model_dataset import stream_dataset, window_dataset
from seqtk.data.text_sources import expand_data_dir, read_texts
from seqtk.generation.text_generator import TextGenerator
from seqtk.models.language_model import LanguageModel
from seqtk.models.model_directory import load_model_directory, save_model_directory
from seqtk.tokenizers.char_tokenizer import CharTokenizer
from seqtk.tokenizers.sentencepiece_tokenizer import SentencePieceTokenizer
from seqtk.tokenizers.text_normalizer import TextNormalizer
from seqtk.tokenizers.tokenizer import load_tokenizer
from seqtk.tokenizers.word_tokenizer import WordTokenizer
from seqtk.training.callbacks import (
    CheckpointCallback,
    LanguageModelMetricsCallback,
    ResetStatesCallback,
    TimeBudgetCallback,
    resume_training_state,
    step_decay_schedule,
)
from seqtk.training.carried_state_model import CarriedStateModel
from seqtk.training.evaluation import evaluate_language_model
from seqtk.training.model_card import language_model_card

OPTIMIZERS = {
    "sgd": keras.optimizers.SGD,
    "adam": keras.optimizers.Adam,
    "adamw": keras.optimizers.AdamW,
    "rmsprop": keras.optimizers.RMSprop,
}


def machine_description():
    return f"{platform.machine()} CPU, {os.cpu_count()} cores, {platform.system()}"


def encode_texts(tokenizer, named_texts, reverse=False):
    """Encodes each (source, text) pair into one stream; an encoding error names the file and line.

    `reverse` gives the stream right to left, as a backward language model reads it: every text
    reversed, in reverse order.
    """
    ids = []
    for name, text in named_texts:
        try:
            ids.extend(tokenizer.encode(text if text.endswith("\n") else text + "\n"))
        except ValueError as error:
            for number, line in enumerate(text.split("\n"), start=1):
                try:
                    tokenizer.encode(line)
                except ValueError:
                    raise ValueError(f"{name}, line {number}: {error}") from None
            raise
    return ids[::-1] if reverse else ids


def split_validation(named_texts, fraction):
    """Holds out the last `fraction` of the joined text (nanoGPT's split for tiny Shakespeare)."""
    if not 0 < fraction < 1:
        raise ValueError(
            f"data.validation_fraction must be in (0, 1) when no data.validation is given; received {fraction}."
        )
    joined = "".join(t if t.endswith("\n") else t + "\n" for _, t in named_texts)
    boundary = int(len(joined) * (1 - fraction))
    name = " + ".join(n for n, _ in named_texts)
    return [(name, joined[:boundary])], [(f"{name} (last {fraction:.0%})", joined[boundary:])]


def _column_texts(examples):
    """Examples as one (sources, text) pair, an example per line."""
    sources = " + ".join(dict.fromkeys(e.source for e in examples))
    return [(sources, "\n".join(e.text for e in examples) + "\n")]


def read_language_model_data(data):
    """`(named_train, named_valid)` from a `DataConfig`: plain text, or one column of a labelled file."""
    if data.text_column:
        read = lambda sources: read_labeled(  # noqa: E731
            sources, data.format, text_column=data.text_column, labeled=False)
        train, valid = read_splits(read, data)
        return _column_texts(train), _column_texts(valid)
    named_train = read_texts(data.train, tfds_text_key=data.tfds_text_key)
    if data.validation:
        return named_train, read_texts(data.validation, tfds_text_key=data.tfds_text_key)
    return split_validation(named_train, data.validation_fraction)


def build_tokenizer(config, named_texts):
    """Trains (or loads) the configured tokenizer on the normalized texts; it keeps the normalizer."""
    settings = config.tokenizer
    normalizer = TextNormalizer(settings.normalize)
    texts = (normalizer(text) for _, text in named_texts)
    if settings.kind == "char":
        tokenizer = CharTokenizer.train(texts)
    elif settings.kind == "word":
        tokenizer = WordTokenizer.train(
            texts, min_frequency=settings.min_frequency, max_size=settings.vocabulary_size,
            lowercase=settings.lowercase,
        )
    elif settings.kind == "sentencepiece":
        if settings.model_file:
            tokenizer = SentencePieceTokenizer.from_file(settings.model_file)
        else:
            tokenizer = SentencePieceTokenizer.train_from_texts(
                texts, vocabulary_size=settings.vocabulary_size, model_type=settings.model_type,
            )
    else:
        raise ValueError(f"tokenizer.kind must be char, word or sentencepiece; received {settings.kind!r}.")
    tokenizer.normalizer = normalizer
    return tokenizer


def training_summary(epochs_run, budget, seconds, checkpoint):
    """What every trainer records about its run: epochs, whether the time budget ended it, time, machine,
    and the per-epoch history that `checkpoint` (a `CheckpointCallback`) kept."""
    return {
        "epochs_run": epochs_run,
        "stopped_by_time_budget": bool(budget and budget.stopped_early),
        "training_seconds": seconds,
        "machine": machine_description(),
        "history": checkpoint.history,
    }


def save_trained_model(config, model, tokenizer, metrics, make_card, command=None, log=print):
    """Saves a trained model with its tokenizer, config, metrics and card to `output_dir/name`.

    `make_card(config_dict, metrics, command)` writes the model card; `command` (default: this
    process's `seqtk` command line) goes into its Reproduce section. Returns `{"directory", "metrics"}`.
    """
    command = command or " ".join(shlex.quote(a) for a in ["seqtk"] + sys.argv[1:])
    directory = save_model_directory(
        os.path.join(config.output_dir, config.name), model, tokenizer, config=config.to_dict(),
        metrics=metrics, model_card=make_card(config.to_dict(), metrics, command),
    )
    log(f"Saved {directory}")
    return {"directory": directory, "metrics": metrics}


def build_language_model(config, vocabulary_size):
    return LanguageModel(vocabulary_size=vocabulary_size, seed=config.training.seed,
                         **dataclasses.asdict(config.model))


def make_optimizer(training, learning_rate=None):
    """The configured optimizer; `learning_rate` (a number or a schedule) replaces `training.learning_rate`."""
    if training.optimizer not in OPTIMIZERS:
        raise ValueError(f"training.optimizer must be one of {sorted(OPTIMIZERS)}; received {training.optimizer!r}.")
    kwargs = {"learning_rate": training.learning_rate if learning_rate is None else learning_rate}
    if training.clipnorm:
        kwargs["global_clipnorm"] = training.clipnorm
    if training.weight_decay and training.optimizer in ("adamw", "sgd", "adam"):
        kwargs["weight_decay"] = training.weight_decay
    return OPTIMIZERS[training.optimizer](**kwargs)


def _datasets(config, train_ids, valid_ids):
    training = config.training
    if training.pipeline == "stream":
        train = stream_dataset(train_ids, training.batch_size, training.sequence_length)
    elif training.pipeline == "windows":
        train = window_dataset(train_ids, training.batch_size, training.sequence_length, seed=training.seed)
    else:
        raise ValueError(f"training.pipeline must be stream or windows; received {training.pipeline!r}.")
    if training.steps_per_epoch:
        train = train.repeat()
    valid = stream_dataset(valid_ids, training.batch_size, training.sequence_length)
    return train, valid


def fit_verbosity(value):
    """`training.verbose` as `fit` takes it: `"auto"` or an integer."""
    return value if value == "auto" else int(value)


def train_language_model(config, init_from=None, resume=False, command=None, log=print):
    """Trains, evaluates and saves a language model as `config` says.

    Args:
        config: a `LanguageModelConfig`.
        init_from: a saved model directory to fine-tune; its tokenizer is kept
            and the model's architecture replaces `config.model`.
        resume: continue from the checkpoint in `config.checkpoint_dir/<name>`.
        command: the command line recorded in the model card.

    Returns:
        dict with the saved `directory` and the `metrics`.
    """
    training = config.training
    keras.utils.set_random_seed(training.seed)
    if training.mixed_precision:
        keras.mixed_precision.set_global_policy("mixed_bfloat16")
    checkpoint_dir = os.path.join(config.checkpoint_dir, config.name)

    named_train, named_valid = read_language_model_data(config.data)

    restored_model, restored_state = resume_training_state(checkpoint_dir, resume, log)
    if restored_model is not None:
        tokenizer = load_tokenizer(checkpoint_dir)
    elif init_from:
        base_model, tokenizer, base_config = load_model_directory(init_from)
        config.tokenizer = dataclasses.replace(config.tokenizer, **(base_config or {}).get("tokenizer", {}))
        config.model = dataclasses.replace(config.model, **(base_config or {}).get("model", {}))
        config.model.reverse = bool(getattr(base_model, "reverse", False))
    else:
        tokenizer = build_tokenizer(config, named_train)
    train_ids = encode_texts(tokenizer, named_train, reverse=config.model.reverse)
    valid_ids = encode_texts(tokenizer, named_valid, reverse=config.model.reverse)
    if config.model.reverse:
        log("Backward model: it reads the text right to left.")
    log(f"Tokens: {len(train_ids):,} train, {len(valid_ids):,} validation; vocabulary {tokenizer.vocabulary_size}.")

    character_level = isinstance(tokenizer, CharTokenizer)
    evaluate = lambda model: evaluate_language_model(  # noqa: E731
        model, valid_ids, batch_size=training.eval_batch_size, sequence_length=training.sequence_length,
        jit_compile=training.jit_compile, character_level=character_level,
    )

    if restored_model is not None:
        trainer = restored_model
        model = trainer.language_model
        initial_epoch = restored_state["epoch"] + 1
        log(f"Resuming {config.name} from epoch {initial_epoch} ({checkpoint_dir}).")
    else:
        model = base_model if init_from else build_language_model(config, tokenizer.vocabulary_size)
        trainer = CarriedStateModel(model, training.batch_size, carry_state=training.pipeline == "stream")
        trainer.compile(
            optimizer=make_optimizer(training),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            jit_compile=training.jit_compile,
        )
        initial_epoch = 0
        os.makedirs(checkpoint_dir, exist_ok=True)
        tokenizer.save(checkpoint_dir)

    before = evaluate(model) if init_from and restored_model is None else None
    if before:
        log(f"Before fine-tuning: validation loss {before['loss']:.4f}, perplexity {before['perplexity']:.2f}.")

    train_data, valid_data = _datasets(config, train_ids, valid_ids)
    early_stopping = keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=training.early_stopping_patience, restore_best_weights=True
    )
    if training.lr_schedule == "plateau":
        lr_decay = keras.callbacks.ReduceLROnPlateau(
            monitor="val_loss", factor=training.lr_decay_factor, patience=training.lr_decay_patience,
            min_lr=training.min_learning_rate, verbose=1,
        )
        watched = [early_stopping, lr_decay]
    elif training.lr_schedule == "step":
        lr_decay = keras.callbacks.LearningRateScheduler(step_decay_schedule(
            training.learning_rate, training.lr_decay_factor, training.lr_decay_start_epoch))
        watched = [early_stopping]
    else:
        raise ValueError(f"training.lr_schedule must be plateau or step; received {training.lr_schedule!r}.")
    checkpoint = CheckpointCallback(checkpoint_dir, watched=watched, early_stopping=early_stopping)
    checkpoint.restored = restored_state
    callbacks = [
        LanguageModelMetricsCallback(), lr_decay, early_stopping, checkpoint,
        keras.callbacks.TensorBoard(os.path.join(config.log_dir, config.name), write_graph=False),
    ]
    if training.pipeline == "stream":
        callbacks.insert(0, ResetStatesCallback())
    budget = TimeBudgetCallback(training.time_budget_minutes) if training.time_budget_minutes else None
    if budget:
        callbacks.append(budget)

    start_step = int(trainer.optimizer.iterations)
    start = time.monotonic()
    history = trainer.fit(
        train_data, validation_data=valid_data, epochs=training.epochs, initial_epoch=initial_epoch,
        steps_per_epoch=training.steps_per_epoch or None, callbacks=callbacks, verbose=fit_verbosity(training.verbose),
        shuffle=False,
    )
    seconds = time.monotonic() - start
    epochs_run = len(history.epoch)
    # The optimizer counts the steps really taken, a time budget's partial epoch included.
    steps = int(trainer.optimizer.iterations) - start_step
    trained_tokens = steps * training.batch_size * training.sequence_length

    after = evaluate(model)
    log(f"Validation: loss {after['loss']:.4f} nats/token, perplexity {after['perplexity']:.2f}"
        + (f", {after['bits_per_character']:.3f} bits/char" if character_level else "") + ".")
    metrics = {
        "validation": after,
        "vocabulary_size": tokenizer.vocabulary_size,
        "parameters": int(model.count_params()),
        "train_tokens": len(train_ids),
        "train_steps": steps,
        "train_tokens_per_second": trained_tokens / max(seconds, 1e-9),
        **training_summary(epochs_run + initial_epoch, budget, seconds, checkpoint),
    }
    if before:
        metrics["validation_before_fine_tuning"] = before
        sources = ", ".join(map(expand_data_dir, config.data.train))
        log(f"Fine-tuning on {sources}: validation perplexity "
            f"{before['perplexity']:.2f} before, {after['perplexity']:.2f} after.")

    prompt = config.sample_prompt
    try:
        tokenizer.encode(prompt)
    except ValueError:
        log(f"The sample prompt {prompt!r} does not fit this vocabulary; sampling from a new line instead.")
        prompt = ""
    sample = TextGenerator(model, tokenizer, sampler="top_k", k=10, temperature=0.8).generate(
        prompt, max_length=config.sample_length, seed=training.seed
    )
    metrics["sample"] = sample
    log("Sample:\n" + sample)

    return save_trained_model(config, model, tokenizer, metrics, language_model_card, command, log)
