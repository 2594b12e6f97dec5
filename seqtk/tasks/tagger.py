"""The sequence-tagging task (`seqtk train tagger`): one tag per token, part of speech or named entities."""

import dataclasses
import math

import tensorflow as tf

from seqtk.data.tag_schemes import (
    detect_scheme,
    in_output_scheme,
    model_scheme,
    output_scheme,
    rewrite_schemes,
)
from seqtk.data.tagged_text import kind_of_extension, read_tagged, read_tagging_data
from seqtk.data.tagging_dataset import encode_sentences, tag_ids, tagging_batches
from seqtk.data.text_sources import files_of
from seqtk.errors import ConfigError, DataError
from seqtk.inference.sentence_tagging import (
    SentenceTagger,
    evaluate_tagger,
    format_tagging_report,
    unknown_tags,
)
from seqtk.layers.crf import scheme_constraints
from seqtk.models.model_directory import read_saved_config
from seqtk.models.sequence_tagger import SequenceTagger
from seqtk.tasks.language_model import load_transfer_pair
from seqtk.tasks.registry import load_model_directory, register_task
from seqtk.tasks.tagger_config import TaggerConfig
from seqtk.tasks.task import CardParts, PreparedData, Task, TaskData, validation_text
from seqtk.tokenizers.word_char_tokenizer import WordCharTokenizer
from seqtk.tokenizers.word_tokenizer import WordTokenizer
from seqtk.training.callbacks import ValidationMetricsCallback
from seqtk.training.config import (
    resolve_config,
)


def sentence_tagger(model, tokenizer, config):
    """The `SentenceTagger` of a trained model and its config."""
    return SentenceTagger(model, tokenizer, config.tags, config.data.max_word_length, scheme=model_scheme(config.data),
                          output_scheme=output_scheme(config.data), pad_multiple=config.training.pad_multiple)


def validation_tagging(tagger, sentences, batch_size):
    """A `ValidationMetricsCallback`'s `(measure, describe)` that adds `val_accuracy` (decoded tags, every
    token) and, for entity tags, `val_f1` to the logs."""

    def measure():
        report = evaluate_tagger(tagger, sentences, batch_size)
        return {"val_accuracy": report["accuracy"], **({"val_f1": report["entities"]["f1"]}
                                                        if "entities" in report else {})}

    def describe(values):
        return f"validation accuracy {values['val_accuracy']:.4f}" + (
            f", entity F1 {values['val_f1'] * 100:.2f}" if "val_f1" in values else "")

    return measure, describe


@register_task
class TaggerTask(Task):
    """Sequence tagging: one tag per token (part of speech, named entities, chunks), BiLSTM-CRF.

    Reads CoNLL-U (any tag column), CoNLL-2003-style column files, tagged JSON lines and `tfds:conll2003`;
    entity tags in IOB1, BIO or BIOES, trained in one scheme and written in another if the config says so.
    Reports token accuracy and, for entities, precision/recall/F1 per type and micro-averaged (CoNLL).

    Example:
    >>> task = get_task("tagger")
    >>> task.train(task.load_config("ud_ewt_upos"))["metrics"]["validation"]["accuracy"]
    """

    name = "tagger"
    config_class = TaggerConfig
    model_class = SequenceTagger
    validation_batch = "eval_batch_size"
    takes_init_from = True

    def initialize_from(self, config, directory, log):
        model, tokenizer, base = load_model_directory(directory)
        if isinstance(model, SequenceTagger):
            return self._fine_tune(config, directory, model, tokenizer, base, log)
        language_model, words, base, backward = load_transfer_pair(directory, config.init_from_backward, "A tagger",
                                                                   alone=False)
        if not isinstance(words, WordTokenizer):
            raise ConfigError(f"{directory}: a {words.kind} language model; a tagger gives one tag per word and "
                              "transfers from a word-level one (tokenizer.kind word).")
        tokenizer = WordCharTokenizer.from_words(words, characters=config.model.char_hidden_dim > 0)
        settings = self._architecture(config)
        for key in ("embedding_dim", "hidden_dim", "num_layers", "cell_type"):
            settings.pop(key)  # the language model's
        model = SequenceTagger.from_language_model(language_model, len(config.tags), backward=backward,
                                                   char_vocabulary_size=tokenizer.char_vocabulary_size, **settings)
        stack = model.recurrent
        log(f"Transferred from {directory}" + (f" and {config.init_from_backward} (backward)" if backward else "")
            + f": vocabulary {tokenizer.vocabulary_size:,} words, embedding {model.embedding_dim}, "
            f"{stack.num_layers} x {stack.hidden_dims[0]} {stack.cell_type.upper()}; characters from its words "
            f"({tokenizer.char_vocabulary_size}).")
        return model, tokenizer, {
            "model.embedding_dim": model.embedding_dim, "model.num_layers": stack.num_layers,
            "model.cell_type": stack.cell_type, "tokenizer": base.tokenizer,
            "model.hidden_dim": stack.hidden_dims[0] if len(set(stack.hidden_dims)) == 1 else list(stack.hidden_dims)}

    @staticmethod
    def _fine_tune(config, directory, model, tokenizer, base, log):
        """A saved tagger trained further on this config's data: its tags, tokenizer, model and schemes."""
        new = sorted(set(config.tags) - set(base.tags))
        if new:
            raise ConfigError(f"{', '.join(map(str, config.data.train))}: tags {', '.join(new)} are not among the "
                              f"tags of {directory} ({' '.join(base.tags)}); fine-tuning keeps a tagger's tags. "
                              "Map them to its tags, or train a new tagger (without --init-from).")
        if base.data.scheme != config.data.scheme and "none" in (base.data.scheme, config.data.scheme):
            raise ConfigError(f"{directory} tags {'plain tags' if base.data.scheme == 'none' else 'entities'}, "
                              f"but this data's tags are {'plain tags' if config.data.scheme == 'none' else 'entities'}.")
        log(f"Fine-tuning the tagger {directory} ({len(base.tags)} tags, vocabulary {tokenizer.vocabulary_size:,}).")
        return model, tokenizer, {"tags": list(base.tags), "model": base.model, "tokenizer": base.tokenizer}

    @staticmethod
    def _architecture(config):
        """The model section as `SequenceTagger` takes it: the scheme's forbidden transitions (`allowed`) for a
        constrained CRF instead of `constrained`."""
        settings = dataclasses.asdict(config.model)
        scheme, constrained = model_scheme(config.data), settings.pop("constrained")
        settings["allowed"] = scheme_constraints(config.tags, scheme) if settings["crf"] and constrained and scheme \
            else None
        return {**settings, "seed": config.training.seed}

    def read_data(self, config, log):
        settings = {}
        base = read_saved_config(config.init_from, task=self.name) if config.init_from else None
        if base is not None:  # fine-tuning a tagger: its tags are in its scheme, its words this wide
            data = base["data"]
            train_scheme = data["scheme"] if data["train_scheme"] == "same" else data["train_scheme"]
            settings = {"data.train_scheme": "same" if train_scheme == "none" else train_scheme,
                        "data.max_word_length": data["max_word_length"]}
            config = resolve_config(config, settings, config.init_from)
        train, valid, scheme = read_tagging_data(config.data, log)
        tags = sorted({t for s in train for t in s.tags}, key=lambda t: (t != "O", t.partition("-")[2], t))
        unknown = unknown_tags(valid, tags)
        if unknown:
            listed = ", ".join(f"{tag} ({n})" for tag, n in unknown.items())
            first = next(s for s in valid if any(t in unknown for t in s.tags))
            log(f"Warning: {first.location} and after: validation tags the training data never has: {listed}. "
                "The model cannot predict them; they count as errors.")
        trained_in = model_scheme(dataclasses.replace(config.data, scheme=scheme))
        log(f"Sentences: {len(train):,} train ({sum(len(s.tokens) for s in train):,} tokens), {len(valid):,} "
            f"validation; {len(tags)} tags" + (f" in {trained_in}" if trained_in else "")
            + f": {' '.join(tags[:20])}" + (" ..." if len(tags) > 20 else ""))
        return TaskData(train, valid, {**settings, "data.scheme": scheme, "tags": tags})

    def build_tokenizer(self, config, train, log):
        settings = config.tokenizer
        tokenizer = WordCharTokenizer.train(
            [s.tokens for s in train], min_frequency=settings.min_frequency, max_size=settings.vocabulary_size,
            lowercase=settings.lowercase, normalize=settings.normalize, characters=config.model.char_hidden_dim > 0)
        log(f"Vocabulary: {tokenizer.vocabulary_size:,} words, {tokenizer.char_vocabulary_size:,} characters.")
        return tokenizer

    def file_of(self, item):
        return item.source

    def texts_by_tokenizer(self, tokenizer, data):
        return [(tokenizer, [(s.source, s.line, " ".join(s.tokens)) for s in data])]

    def build_model(self, config, tokenizer):
        return SequenceTagger(tokenizer.vocabulary_size, len(config.tags),
                              char_vocabulary_size=tokenizer.char_vocabulary_size, **self._architecture(config))

    def prepare(self, config, tokenizer, train, validation, log):
        data, training = config.data, config.training
        # Every token spelled in place: under XLA, one shape per sentence length; under a strategy, each replica
        # takes its rows of a batch, which a table of the batch's distinct words cannot be split into.
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        width = data.max_word_length if training.jit_compile or replicas > 1 else None
        train_data = tagging_batches(encode_sentences(tokenizer, train, data.max_word_length),
                                     tag_ids(train, config.tags), training.batch_size, shuffle=True,
                                     seed=training.seed, pad_multiple=training.pad_multiple,
                                     drop_remainder=training.drop_remainder, char_width=width)
        valid_data = tagging_batches(encode_sentences(tokenizer, validation, data.max_word_length),
                                     tag_ids(validation, config.tags), training.eval_batch_size, shuffle=False,
                                     pad_multiple=training.pad_multiple, char_width=width).one_pass()
        return PreparedData(train_data, valid_data,
                            statistics={"vocabulary_size": tokenizer.vocabulary_size,
                                        "char_vocabulary_size": tokenizer.char_vocabulary_size,
                                        "train_sentences": len(train),
                                        "train_tokens": sum(len(s.tokens) for s in train)},
                            extras={"validation": validation,
                                    "longest_train_sentence": max(len(s.tokens) for s in train)})

    def loss(self, config):
        return None  # SequenceTagger.compute_loss: the CRF's likelihood or the masked cross-entropy

    def chance_loss(self, model, prepared):
        # The CRF's loss is per sentence: a uniform guess costs ln(tags) per token of it, so a batch of the
        # longest sentences may honestly start there.
        per_token = math.log(model.num_tags)
        return per_token * prepared.extras["longest_train_sentence"] if model.crf is not None else per_token

    def callbacks(self, config, model, tokenizer, prepared, log):
        tagger = sentence_tagger(model, tokenizer, config)
        prepared.extras["tagger"] = tagger
        gold = in_output_scheme(prepared.extras["validation"], config.data)
        return [ValidationMetricsCallback(*validation_tagging(tagger, gold, config.training.eval_batch_size), log)]

    def evaluate(self, config, model, tokenizer, prepared, summary, log):
        tagger = sentence_tagger(model, tokenizer, config)  # `model` may be a one-device copy of the trained one
        report = evaluate_tagger(tagger, in_output_scheme(prepared.extras["validation"], config.data),
                                 config.training.eval_batch_size, log)
        log("Validation:\n" + format_tagging_report(report))
        return {"validation": report}

    def card(self, config, metrics):
        model, data, report = config["model"], config["data"], metrics["validation"]
        chars = (f"a character BiLSTM ({model['char_hidden_dim']} per direction) over each word" if
                 model["char_hidden_dim"] else "no character encoder")
        scheme = data["scheme"]
        trained_in = data["train_scheme"] if data["train_scheme"] != "same" else scheme
        written_in = data["output_scheme"] if data["output_scheme"] != "same" else scheme
        return CardParts(
            summary=[f"A {'bidirectional ' if model['bidirectional'] else ''}{model['num_layers']}-layer "
                     f"{model['cell_type'].upper()} sequence tagger with "
                     f"{'a CRF' if model['crf'] else 'a softmax per token'} (word embedding {model['embedding_dim']}, "
                     f"{chars}; vocabulary {metrics['vocabulary_size']:,} words, {metrics['parameters']:,} "
                     "parameters), trained with seqtk.",
                     f"Tags ({len(config['tags'])}" + (f", trained in {trained_in}, written in {written_in}"
                                                        if scheme != "none" else "") + f"): {' '.join(config['tags'])}."],
            train=f"{', '.join(map(str, data['train']))} ({metrics['train_sentences']:,} sentences, "
                  f"{metrics['train_tokens']:,} tokens)",
            validation=f"{validation_text(data, 'sentences')} ({report['sentences']:,} sentences, "
                       f"{report['tokens']:,} tokens)",
            batch=f", input dropout {model['input_dropout']}", report=["```", format_tagging_report(report), "```"])

    def read_evaluation_data(self, paths, options, config):
        data = config.data
        file_format, tag_column = options.get("format"), options.get("tag_column")
        if not file_format:
            # A file whose extension names its format is read as that; others as the model's training data.
            known = {kind_of_extension(p) for p in files_of([p for p in paths if not str(p).startswith("tfds:")], "")}
            file_format = known.pop() if len(known) == 1 and None not in known else data.format
        if not tag_column:
            same = file_format == data.format or (data.format == "auto" and file_format == "conll")
            tag_column = data.tag_column if same else "auto"
        sentences = read_tagged(list(paths), file_format, tag_column)
        if data.scheme == "none":
            return sentences
        # Read in the model's scheme, but BIOES when the file has E-/S- tags: IOB1 and BIO files give the same
        # entities read either way, BIOES ones do not.
        found = detect_scheme(s.tags for s in sentences)
        if found == "none":
            plain = sorted({t for s in sentences for t in s.tags if t != "O" and t[1:2] != "-"})
            raise DataError(f"{sentences[0].location}: the gold tags ({', '.join(plain[:8])}"
                            f"{', ...' if len(plain) > 8 else ''}) are not entity tags, but the model tags "
                            f"entities ({', '.join(config.tags[:8])}, ...). Is it the right tag column? Set "
                            "--tag-column (an index for column files, -1 the last).")
        written = "BIOES" if found == "BIOES" else data.scheme
        return rewrite_schemes(sentences, written, output_scheme(data), data.strict_scheme, print)

    def evaluate_examples(self, members, sentences, batch_size, options):
        (_, model, tokenizer, config), = members
        tagger = sentence_tagger(model, tokenizer, config)
        unknown = unknown_tags(sentences, tagger.output_tags)
        if sum(unknown.values()) == sum(len(s.tags) for s in sentences):
            raise DataError(f"{sentences[0].location}: none of the gold tags is one the model was trained on "
                            f"(the file has {', '.join(list(unknown)[:10])}{', ...' if len(unknown) > 10 else ''}; "
                            f"the model's are {', '.join(config.tags[:10])}{', ...' if len(config.tags) > 10 else ''}"
                            "). Is it the right tag column? Set --tag-column (upos, xpos, or an index).")
        return evaluate_tagger(tagger, sentences, batch_size, print)

    def format_evaluation(self, report):
        return format_tagging_report(report)


__all__ = ["TaggerConfig", "TaggerTask"]
