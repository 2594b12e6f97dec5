"""The translation task (`seqtk train translator`): an attention-free encoder-decoder, many-to-many of
unequal lengths, scored by BLEU and chrF."""

import dataclasses
import math

import tensorflow as tf

from seqtk.data.classification_dataset import pad_batch
from seqtk.data.example_stream import (
    ExampleFiles,
    StreamedBatches,
    check_streaming,
    parallel_files,
    streamed_sample,
)
from seqtk.data.labeled_text import read_splits
from seqtk.data.parallel_text import read_parallel
from seqtk.data.translation_dataset import encode_pairs, teacher_forcing_batch, translation_batches
from seqtk.inference.translator_evaluation import evaluate_translator, sentence_translator
from seqtk.metrics.translation import translation_scores
from seqtk.models.seq2seq_translator import Seq2SeqTranslator
from seqtk.tasks.registry import register_task
from seqtk.tasks.task import CardParts, PreparedData, Task, TaskData, validation_text
from seqtk.tasks.translator_config import (
    TranslatorConfig,
)
from seqtk.tokenizers.build_tokenizer import build_tokenizer
from seqtk.tokenizers.tokenizer_pair import TokenizerPair
from seqtk.training.callbacks import ValidationMetricsCallback
from seqtk.training.masked_sequence_loss import MaskedSequenceLoss


def read_translation_data(data):
    """`(train, validation)` `ParallelExample`s from a `TranslatorDataConfig`."""
    read = lambda sources: read_parallel(  # noqa: E731
        sources, data.format, source_column=data.source_column, target_column=data.target_column)
    return read_splits(read, data)


def build_tokenizers(settings, examples, log=print):
    """A `TokenizerPair` trained on the training pairs as `settings` (a `TranslatorTokenizerConfig`) says:
    one joint tokenizer or one per side."""
    sources = [(e.origin, e.source) for e in examples]
    targets = [(e.origin, e.target) for e in examples]
    if settings.joint:
        return TokenizerPair(build_tokenizer(settings.source, sources + targets, log))
    return TokenizerPair(build_tokenizer(settings.source, sources, _side(log, "source")),
                         build_tokenizer(settings.target, targets, _side(log, "target")))


def _side(log, side):
    return lambda message: log(f"{side.capitalize()} side: {message}")


def _located(examples, side):
    return [(e.origin, e.line, getattr(e, side)) for e in examples]


def validation_bleu(translator, examples, batch_size):
    """A `ValidationMetricsCallback` that adds `val_bleu` and `val_chrf` (greedy decoding of `examples`) to
    the logs; the translator's compiled loops read the model's current weights, so one serves every epoch."""
    examples = list(examples)
    outputs = {}

    def measure():
        outputs["hypotheses"] = translator.translate([e.source for e in examples], 1, 0.0, batch_size,
                                                     [e.location for e in examples])
        scores = translation_scores(outputs["hypotheses"], [e.target for e in examples])
        return {"val_bleu": scores["bleu"], "val_chrf": scores["chrf"]}

    def describe(values):
        return (f"validation BLEU {values['val_bleu']:.2f}, chrF {values['val_chrf']:.2f} (greedy, {len(examples)} "
                f"sentences); e.g. {examples[0].source!r} -> {outputs['hypotheses'][0]!r}")

    return measure, describe


def _decoding_name(beam):
    return "greedy" if beam == 1 else f"beam{beam}"


@register_task
class TranslatorTask(Task):
    """Attention-free encoder-decoder translation (Sutskever et al. 2014, Cho et al. 2014).

    Teacher forcing with label smoothing; validation BLEU (greedy, on `training.bleu_sentences` pairs)
    after every epoch drives early stopping, plateau decay and best-weights selection with
    `training.monitor: val_bleu`. The final report gives BLEU and chrF on the whole validation set,
    greedy and with a beam of `training.beam_size`.

    Example:
    >>> task = get_task("translator")
    >>> task.train(task.load_config("tatoeba_sample"))["metrics"]["validation"]["beam5"]["bleu"]
    """

    name = "translator"
    config_class = TranslatorConfig
    model_class = Seq2SeqTranslator
    validation_batch = "eval_batch_size"
    retired_keys = ("training.pipeline", "training.sequence_length")

    def read_data(self, config, log):
        if config.data.streaming:
            data = config.data
            check_streaming(data)
            train = parallel_files(data.train, data.format, data.source_column, data.target_column)
            valid = read_parallel(data.validation, data.format, source_column=data.source_column,
                                  target_column=data.target_column)
            log(f"Sentence pairs: {train.count:,} train (read from {len(train.sources)} file(s) a piece at a "
                f"time), {len(valid):,} validation.")
            return TaskData([train], valid)
        train, valid = read_translation_data(config.data)
        log(f"Sentence pairs: {len(train):,} train, {len(valid):,} validation.")
        return TaskData(train, valid)

    def build_tokenizer(self, config, train, log):
        return build_tokenizers(config.tokenizer, streamed_sample(train, log), log)

    def file_of(self, item):
        return ", ".join(item.sources) if isinstance(item, ExampleFiles) else item.origin

    def texts_by_tokenizer(self, tokenizers, data):
        data = streamed_sample(data)
        return [(tokenizers.source, _located(data, "source"), "source side"),
                (tokenizers.target, _located(data, "target"), "target side")]

    def build_model(self, config, tokenizers):
        return Seq2SeqTranslator(tokenizers.source.vocabulary_size, tokenizers.target.vocabulary_size,
                                 seed=config.training.seed, **dataclasses.asdict(config.model))

    def prepare(self, config, tokenizers, train, validation, log):
        data, training = config.data, config.training
        valid_sources, valid_targets, _ = encode_pairs(
            tokenizers.source, tokenizers.target, validation, data.max_source_length, data.max_target_length)
        end_id = tokenizers.target.newline_id
        pad_multiple = training.pad_multiple or (8 if training.jit_compile else 1)
        limits = (data.max_source_length, data.max_target_length)
        if isinstance(train[0], ExampleFiles):
            files = train[0]

            def encode(examples):
                sources, targets, _ = encode_pairs(tokenizers.source, tokenizers.target, examples, *limits)
                return list(zip(sources, targets, strict=True))

            def make_batch(items):
                decoder_inputs, decoder_targets = teacher_forcing_batch(
                    [t for _, t in items], end_id, end_id, pad_multiple)
                return (pad_batch([s for s, _ in items], pad_multiple), decoder_inputs), decoder_targets

            # Pairs over the length limits are left out: how many each piece keeps takes one reading.
            counts = [len(encode(files.read(piece))) for piece in files.pieces]
            kept, dropped = sum(counts), files.count - sum(counts)
            matrix = tf.TensorSpec((None, None), tf.int32)
            train_data = StreamedBatches(files, training.batch_size, encode, lambda item: len(item[0]) + len(item[1]),
                                         make_batch, ((matrix, matrix), matrix), seed=training.seed,
                                         drop_remainder=training.drop_remainder, counts=counts)
            log(f"Streaming {kept:,} training pairs" + (f" ({dropped:,} over {limits[0]}/{limits[1]} tokens left out)"
                                                        if dropped else "") + ".")
        else:
            train_sources, train_targets, dropped = encode_pairs(tokenizers.source, tokenizers.target, train, *limits)
            kept = len(train_sources)
            log(f"Tokens: {sum(map(len, train_sources)):,} source, {sum(map(len, train_targets)):,} target; "
                f"vocabulary {tokenizers.source.vocabulary_size} / {tokenizers.target.vocabulary_size}"
                + (" (joint)" if tokenizers.joint else "")
                + (f"; {dropped:,} pairs over {limits[0]}/{limits[1]} tokens left out." if dropped else "."))
            train_data = translation_batches(train_sources, train_targets, training.batch_size, end_id, end_id,
                                             shuffle=True, seed=training.seed, pad_multiple=pad_multiple,
                                             drop_remainder=training.drop_remainder)
        valid_data = translation_batches(valid_sources, valid_targets, training.eval_batch_size, end_id, end_id,
                                         shuffle=False, pad_multiple=pad_multiple).one_pass()
        statistics = {"source_vocabulary_size": tokenizers.source.vocabulary_size,
                      "target_vocabulary_size": tokenizers.target.vocabulary_size,
                      "train_pairs": kept, "dropped_pairs": dropped}
        return PreparedData(train_data, valid_data, statistics=statistics, extras={"validation": validation})

    def loss(self, config):
        return MaskedSequenceLoss(config.training.label_smoothing)

    def chance_loss(self, model, prepared):
        return math.log(model.target_vocabulary_size)

    def callbacks(self, config, model, tokenizers, prepared, log):
        training, examples = config.training, prepared.extras["validation"]
        if training.bleu_sentences and len(examples) > training.bleu_sentences:
            # Evenly spaced, not the first ones: files such as Tatoeba's are ordered by length.
            stride = len(examples) / training.bleu_sentences
            examples = [examples[int(i * stride)] for i in range(training.bleu_sentences)]
        translator = sentence_translator(model, tokenizers, config.data)
        prepared.extras["translator"] = translator  # its compiled loops serve the final evaluation too
        return [ValidationMetricsCallback(*validation_bleu(translator, examples, training.eval_batch_size), log)]

    def evaluate(self, config, model, tokenizers, prepared, summary, log):
        training = config.training
        translator = prepared.extras.get("translator") or sentence_translator(model, tokenizers, config.data)
        reports = {}
        for beam in sorted({1, training.beam_size}):
            report, _ = evaluate_translator(translator, prepared.extras["validation"], beam,
                                            training.length_penalty, training.eval_batch_size)
            reports[_decoding_name(beam)] = report
            log(f"Validation, {'greedy' if beam == 1 else f'beam {beam}'}: BLEU {report['bleu']:.2f}, chrF "
                f"{report['chrf']:.2f}, {report['sentences_per_second']:.0f} sentences/s")
        return {"validation": reports}

    def card(self, config, metrics):
        model, training, data = config["model"], config["training"], config["data"]
        languages = (f"{data['source_language']} → {data['target_language']} "
                     if data["source_language"] and data["target_language"] else "")
        options = [name for name, on in (("bidirectional encoder", model["bidirectional"]),
                                         ("reversed source", model["reverse_source"]),
                                         ("context fed to every decoder step", model["context_feeding"]),
                                         ("tied decoder embeddings", model["tie_embeddings"])) if on]
        tokenizer = config["tokenizer"]
        kinds = (f"one joint {tokenizer['source']['kind']} tokenizer" if tokenizer["joint"] else
                 f"{tokenizer['source']['kind']} / {tokenizer['target']['kind']} tokenizers")
        rows = ["| decoding | BLEU | chrF | sentences/s |", "|---|---|---|---|"] + [
            f"| {name} | {report['bleu']:.2f} | {report['chrf']:.2f} | {report['sentences_per_second']:.0f} |"
            for name, report in metrics["validation"].items()]
        return CardParts(
            summary=[f"An attention-free {languages}encoder-decoder: {model['num_layers']}-layer "
                     f"{model['cell_type'].upper()}s of {model['hidden_dim']} units"
                     + (f" ({', '.join(options)})" if options else "")
                     + f"; {kinds}, vocabulary {metrics['source_vocabulary_size']} / "
                     f"{metrics['target_vocabulary_size']}, {metrics['parameters']:,} parameters. Trained with seqtk."],
            train=f"{', '.join(map(str, data['train']))} ({metrics['train_pairs']:,} pairs; {metrics['dropped_pairs']:,} "
                  f"over {data['max_source_length']}/{data['max_target_length']} tokens left out)",
            validation=validation_text(data, "pairs"),
            vocabularies=[("Source", tokenizer["source"], metrics["source_vocabulary_size"])]
            + ([] if tokenizer["joint"] else [("Target", tokenizer["target"], metrics["target_vocabulary_size"])]),
            training=["- Teacher forcing"], batch=f", label smoothing {training['label_smoothing']}",
            epochs=f"; best epoch by {training['monitor']}", report_title="Validation (sacrebleu, detokenized text)",
            report=[*rows, "", f"BLEU signature: `{next(iter(metrics['validation'].values()))['bleu_signature']}`"])

    def read_evaluation_data(self, paths, options, config):
        source_column, target_column = options.get("source_column"), options.get("target_column")
        return read_parallel(
            paths, options.get("format") or "auto",
            source_column=config.data.source_column if source_column is None else source_column,
            target_column=config.data.target_column if target_column is None else target_column)

    def evaluate_examples(self, members, examples, batch_size, options):
        (_, model, tokenizers, config), = members
        translator = sentence_translator(model, tokenizers, config.data)
        beam, reports = options.get("beam"), {}
        for size in ([1] if beam == 1 else [1, beam or config.training.beam_size]):
            report, _ = evaluate_translator(translator, examples, size, config.training.length_penalty, batch_size)
            reports[_decoding_name(size)] = report
        return reports

    def format_evaluation(self, report):
        lines = [f"{'greedy' if name == 'greedy' else 'beam ' + name[4:]}: BLEU {row['bleu']:.2f}  chrF "
                 f"{row['chrf']:.2f}  ({row['sentences']} sentences, {row['sentences_per_second']:.0f}/s)"
                 for name, row in report.items()]
        lines.append(f"BLEU signature: {report['greedy']['bleu_signature']}")
        return "\n".join(lines)

