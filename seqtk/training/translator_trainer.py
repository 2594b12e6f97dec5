"""Training an attention-free translator from a config: parallel data, tokenizers, teacher forcing, BLEU."""

import dataclasses
import os
import time
import types

import keras

from seqtk.data.parallel_text import read_parallel
from seqtk.data.labeled_text import read_splits
from seqtk.data.translation_dataset import encode_pairs, translation_dataset
from seqtk.models.seq2seq_translator import Seq2SeqTranslator
from seqtk.tokenizers.tokenizer import load_tokenizer
from seqtk.tokenizers.tokenizer_pair import TokenizerPair
from seqtk.training.callbacks import CheckpointCallback, TimeBudgetCallback, resume_training_state
from seqtk.training.language_model_trainer import (
    build_tokenizer,
    fit_verbosity,
    make_optimizer,
    save_trained_model,
    training_summary,
)
from seqtk.training.masked_sequence_loss import MaskedSequenceLoss
from seqtk.training.model_card import translator_card
from seqtk.training.translator_evaluation import ValidationBleuCallback, evaluate_translator, sentence_translator

MONITORS = {"val_bleu": "max", "val_loss": "min"}


def read_translation_data(data):
    """`(train, validation)` `ParallelExample`s from a `TranslatorDataConfig`."""
    read = lambda sources: read_parallel(  # noqa: E731
        sources, data.format, source_column=data.source_column, target_column=data.target_column)
    return read_splits(read, data)


def build_tokenizers(config, examples):
    """A `TokenizerPair` trained on the training pairs: one joint tokenizer or one per side."""
    settings = config.tokenizer
    sources = [(e.origin, e.source) for e in examples]
    targets = [(e.origin, e.target) for e in examples]
    build = lambda tokenizer, texts: build_tokenizer(types.SimpleNamespace(tokenizer=tokenizer), texts)  # noqa: E731
    if settings.joint:
        return TokenizerPair(build(settings.source, sources + targets))
    return TokenizerPair(build(settings.source, sources), build(settings.target, targets))


def train_translator(config, resume=False, command=None, log=print):
    """Trains, evaluates and saves a `Seq2SeqTranslator` as `config` (a `TranslatorConfig`) says.

    Validation BLEU (greedy, on `training.bleu_sentences` pairs) is computed
    after every epoch and, with `training.monitor: val_bleu`, picks the best
    weights, decays the learning rate and stops training. The final report
    gives BLEU and chrF on the whole validation set with greedy decoding and
    with a beam of `training.beam_size`.

    Returns:
        dict with the saved `directory` and the `metrics`.
    """
    training, data = config.training, config.data
    if training.monitor not in MONITORS:
        raise ValueError(f"training.monitor must be one of {sorted(MONITORS)} for a translator; "
                         f"received {training.monitor!r}.")
    keras.utils.set_random_seed(training.seed)
    checkpoint_dir = os.path.join(config.checkpoint_dir, config.name)

    train_examples, valid_examples = read_translation_data(data)
    log(f"Sentence pairs: {len(train_examples):,} train, {len(valid_examples):,} validation.")

    restored, restored_state = resume_training_state(checkpoint_dir, resume, log)
    if restored is not None:
        tokenizers, model = load_tokenizer(checkpoint_dir), restored
    else:
        tokenizers = build_tokenizers(config, train_examples)
        model = Seq2SeqTranslator(tokenizers.source.vocabulary_size, tokenizers.target.vocabulary_size,
                                  seed=training.seed, **dataclasses.asdict(config.model))

    train_sources, train_targets, dropped = encode_pairs(
        tokenizers.source, tokenizers.target, train_examples, data.max_source_length, data.max_target_length)
    valid_sources, valid_targets, _ = encode_pairs(
        tokenizers.source, tokenizers.target, valid_examples, data.max_source_length, data.max_target_length)
    log(f"Tokens: {sum(map(len, train_sources)):,} source, {sum(map(len, train_targets)):,} target; vocabulary "
        f"{tokenizers.source.vocabulary_size} / {tokenizers.target.vocabulary_size}"
        + (" (joint)" if tokenizers.joint else "")
        + (f"; {dropped:,} pairs over {data.max_source_length}/{data.max_target_length} tokens left out." if dropped
           else "."))
    end_id = tokenizers.target.newline_id
    train_data = translation_dataset(train_sources, train_targets, training.batch_size, end_id, end_id,
                                     shuffle=True, seed=training.seed, pad_multiple=training.pad_multiple)
    if training.steps_per_epoch:
        # Shorter "epochs" validate (and checkpoint) more often; each pass over the data reshuffles.
        train_data = train_data.repeat()
    valid_data = translation_dataset(valid_sources, valid_targets, training.eval_batch_size, end_id, end_id,
                                     shuffle=False, pad_multiple=training.pad_multiple)

    if restored is not None:
        initial_epoch = restored_state["epoch"] + 1
        log(f"Resuming {config.name} from epoch {initial_epoch} ({checkpoint_dir}).")
    else:
        model.compile(optimizer=make_optimizer(training), loss=MaskedSequenceLoss(training.label_smoothing),
                      jit_compile=training.jit_compile)
        initial_epoch = 0
        os.makedirs(checkpoint_dir, exist_ok=True)
        tokenizers.save(checkpoint_dir)

    translator = sentence_translator(model, tokenizers, data)
    bleu_examples = valid_examples
    if training.bleu_sentences and len(valid_examples) > training.bleu_sentences:
        # Evenly spaced, not the first ones: files such as Tatoeba's are ordered by length.
        stride = len(valid_examples) / training.bleu_sentences
        bleu_examples = [valid_examples[int(i * stride)] for i in range(training.bleu_sentences)]
    mode = MONITORS[training.monitor]
    early_stopping = keras.callbacks.EarlyStopping(
        monitor=training.monitor, mode=mode, patience=training.early_stopping_patience, restore_best_weights=True)
    plateau = keras.callbacks.ReduceLROnPlateau(
        monitor=training.monitor, mode=mode, factor=training.lr_decay_factor, patience=training.lr_decay_patience,
        min_lr=training.min_learning_rate, verbose=1)
    checkpoint = CheckpointCallback(checkpoint_dir, watched=[early_stopping, plateau], early_stopping=early_stopping)
    checkpoint.restored = restored_state
    callbacks = [ValidationBleuCallback(translator, bleu_examples, training.eval_batch_size, log),
                 early_stopping, plateau, checkpoint,
                 keras.callbacks.TensorBoard(os.path.join(config.log_dir, config.name), write_graph=False)]
    budget = TimeBudgetCallback(training.time_budget_minutes) if training.time_budget_minutes else None
    if budget:
        callbacks.append(budget)

    start = time.monotonic()
    history = model.fit(train_data, validation_data=valid_data, epochs=training.epochs, initial_epoch=initial_epoch,
                        steps_per_epoch=training.steps_per_epoch or None, callbacks=callbacks,
                        verbose=fit_verbosity(training.verbose),
                        shuffle=False)  # the dataset reshuffles itself, within length buckets
    seconds = time.monotonic() - start

    reports = {}
    for beam in sorted({1, training.beam_size}):
        report, _ = evaluate_translator(translator, valid_examples, beam, training.length_penalty,
                                        training.eval_batch_size)
        reports["greedy" if beam == 1 else f"beam{beam}"] = report
        log(f"Validation, {'greedy' if beam == 1 else f'beam {beam}'}: BLEU {report['bleu']:.2f}, chrF "
            f"{report['chrf']:.2f}, {report['sentences_per_second']:.0f} sentences/s")
    metrics = {
        "validation": reports,
        "source_vocabulary_size": tokenizers.source.vocabulary_size,
        "target_vocabulary_size": tokenizers.target.vocabulary_size,
        "parameters": int(model.count_params()),
        "train_pairs": len(train_sources),
        "dropped_pairs": dropped,
        **training_summary(len(history.epoch) + initial_epoch, budget, seconds, checkpoint),
    }
    return save_trained_model(config, model, tokenizers, metrics, translator_card, command, log)
