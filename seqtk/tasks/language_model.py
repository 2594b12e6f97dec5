"""The language-model task (`seqtk train lm`): next-token prediction on a token stream, many-to-many."""

import dataclasses
import json
import math
import os

import keras

from seqtk.data.language_model_dataset import encode_texts, stream_batches, window_batches
from seqtk.data.language_model_text import read_language_model_data
from seqtk.data.prepared_corpus import PreparedCorpus, prepare_corpus
from seqtk.data.text_sources import expand_data_dir, read_texts
from seqtk.data.token_shards import (
    TokenShards,
    tokenizer_fingerprint,
)
from seqtk.errors import ConfigError
from seqtk.generation.start_state import PRIMING_TOKENS, prime_start_state
from seqtk.generation.text_generator import TextGenerator
from seqtk.inference.language_model_evaluation import evaluate_language_model
from seqtk.models.language_model import LanguageModel
from seqtk.models.model_directory import CONFIG_FILE
from seqtk.tasks.language_model_config import (
    LanguageModelConfig,
)
from seqtk.tasks.registry import get_task, load_model_directory, register_task
from seqtk.tasks.task import CardParts, PreparedData, Task, TaskData
from seqtk.tokenizers.build_tokenizer import build_tokenizer
from seqtk.tokenizers.char_tokenizer import CharTokenizer
from seqtk.tokenizers.unknown_symbols import count_unknown
from seqtk.training.callbacks import LanguageModelMetricsCallback, ResetStatesCallback
from seqtk.training.carried_state_model import CarriedStateModel
from seqtk.training.token_cross_entropy import TokenCrossEntropy


def fine_tuning_config(init_from, config=None, overrides=(), data=None):
    """The language-model config for fine-tuning the saved model `init_from`.

    Without `config`, the base model's own `config.yaml` (its training settings) is used. The result is
    named `<base>_finetuned` when no `name=` override is given and either no config was given or the
    config's name would write the new model over the base; otherwise the config keeps its own name (a
    stage-2 config such as `sst2_backward` names the model that stage 3 reads).

    Example:
        >>> config = fine_tuning_config("saved_models/shakespeare_char_large", data=["my.txt"])  # doctest: +SKIP
        >>> config.name  # doctest: +SKIP
        'shakespeare_char_large_finetuned'
    """
    source = config
    if not source:
        source = os.path.join(init_from, CONFIG_FILE)
        if not os.path.exists(source):
            raise FileNotFoundError(f"{init_from}: not a seqtk model directory (no config.yaml); "
                                    "give a config as well.")
    overrides = list(overrides or ())
    result = get_task("lm").load_config(source, overrides=overrides, data=data)
    if any(o.strip().startswith("name=") for o in overrides):
        return result
    target = os.path.realpath(os.path.join(result.output_dir, result.name))
    if not config or target == os.path.realpath(init_from):
        result.name = os.path.basename(os.path.normpath(init_from)) + "_finetuned"
    return result


def load_transfer_source(directory, user, reverse=None):
    """`(model, tokenizer, config)` of the language model saved in `directory` that `user` (`"A classifier"`,
    `"A tagger"`) transfers from; with `reverse` true or false, the model must read in that direction."""
    model, tokenizer, config = load_model_directory(directory)
    if not isinstance(model, LanguageModel):
        raise ConfigError(f"{directory}: holds a {type(model).__name__}, not a language model. {user} transfers "
                          "from a model trained with `seqtk train lm`; give that model's directory.")
    if reverse is not None and bool(model.reverse) != reverse:
        raise ConfigError(f"{directory}: a {'backward' if model.reverse else 'forward'} language model, given "
                          f"as the {'backward' if reverse else 'forward'} one (model.reverse).")
    return model, tokenizer, config


def load_transfer_pair(directory, backward_directory, user, alone=None):
    """`(forward, tokenizer, config, backward)`: the language model in `directory` that `user` transfers
    from, and with `backward_directory` the backward one (`init_from_backward`) beside it, which must share
    its tokenizer; `backward` is None without one. Alone, the model reads in the direction `alone` says
    (None: either)."""
    forward, tokenizer, config = load_transfer_source(directory, user, reverse=False if backward_directory else alone)
    if not backward_directory:
        return forward, tokenizer, config, None
    backward, other, _ = load_transfer_source(backward_directory, user, reverse=True)
    if tokenizer_fingerprint(other) != tokenizer_fingerprint(tokenizer):
        raise ConfigError(f"{backward_directory}: its tokenizer is not {directory}'s; the two language models "
                          f"of {user.lower()} must share one tokenizer (train the backward one with "
                          "tokenizer.model_file or --init-from the forward one's).")
    return forward, tokenizer, config, backward


@register_task
class LanguageModelTask(Task):
    """Language modeling (word, character or subword): perplexity and bits per character, sampling.

    `training.pipeline: stream` carries the recurrent state from batch to batch (truncated BPTT, as
    Zaremba et al. and AWD-LSTM train); `windows` shuffles independent windows. `--init-from` fine-tunes
    a saved language model on new text, keeping its tokenizer and architecture.

    Example:
    >>> task = get_task("lm")
    >>> task.train(task.load_config("shakespeare_char", overrides=["training.epochs=1"]))
    """

    name = "lm"
    config_class = LanguageModelConfig
    model_class = LanguageModel
    takes_init_from = True
    validation_batch = "batch_size"  # validation streams carry state across batches, as training's do

    def training_config(self, config=None, overrides=(), data=None, init_from=None):
        if init_from:
            return fine_tuning_config(init_from, config, overrides, data)
        return self.load_config(config, overrides, data)

    def prepare_corpus(self, config, output, tokenizer_from=None, workers=None, log=print):
        config.validate()
        return prepare_corpus(config, output, tokenizer_from, workers, log)

    def read_data(self, config, log):
        if config.data.prepared:
            corpus = PreparedCorpus(expand_data_dir(config.data.prepared))
            log(f"Training on the prepared corpus {corpus.directory} ({len(corpus.train):,} tokens), read "
                "from disk batch by batch; data.train and data.validation are not read.")
            return TaskData([corpus], [corpus])
        return TaskData(*read_language_model_data(config.data))

    def build_tokenizer(self, config, train, log):
        if isinstance(train[0], PreparedCorpus):
            return train[0].tokenizer()
        return build_tokenizer(config.tokenizer, train, log)

    def file_of(self, item):
        return item.directory if isinstance(item, PreparedCorpus) else item[0]  # (file name, text)

    def texts_by_tokenizer(self, tokenizer, data):
        if data and isinstance(data[0], PreparedCorpus):
            return []  # counted when the corpus was prepared (its manifest has the unknown symbols)
        return [(tokenizer, [(name, None, text) for name, text in data])]

    def build_model(self, config, tokenizer):
        return LanguageModel(vocabulary_size=tokenizer.vocabulary_size, seed=config.training.seed,
                             **dataclasses.asdict(config.model))

    def initialize_from(self, config, directory, log):
        model, tokenizer, base = load_model_directory(directory, task=self.name)
        # A model saved before start states existed has none to record; its fine-tuned copy keeps it so.
        return model, tokenizer, {"tokenizer": base.tokenizer, "model": dataclasses.replace(
            base.model, reverse=bool(model.reverse), start_state=model.start_state)}

    def prepare(self, config, tokenizer, train, validation, log):
        training, reverse = config.training, config.model.reverse
        if isinstance(train[0], PreparedCorpus):
            train_ids, valid_ids = train[0].check(tokenizer, reverse)
        else:
            train_ids = encode_texts(tokenizer, train, reverse=reverse)
            valid_ids = encode_texts(tokenizer, validation, reverse=reverse)
        if reverse:
            log("Backward model: it reads the text right to left.")
        log(f"Tokens: {len(train_ids):,} train, {len(valid_ids):,} validation; "
            f"vocabulary {tokenizer.vocabulary_size}.")
        if training.pipeline == "stream":
            train_data = stream_batches(train_ids, training.batch_size, training.sequence_length)
        else:
            train_data = window_batches(train_ids, training.batch_size, training.sequence_length,
                                        seed=training.seed)
        valid_data = stream_batches(valid_ids, training.batch_size, training.sequence_length).one_pass()
        tail = 2 * PRIMING_TOKENS
        priming_ids = (train_ids.read(max(0, len(train_ids) - tail), len(train_ids))
                       if isinstance(train_ids, TokenShards) else train_ids[-tail:])
        return PreparedData(train_data, valid_data,
                            statistics={"vocabulary_size": tokenizer.vocabulary_size, "train_tokens": len(train_ids)},
                            extras={"valid_ids": valid_ids, "priming_ids": priming_ids})

    def trainer(self, model, config):
        return CarriedStateModel(model, config.training.batch_size,
                                 carry_state=config.training.pipeline == "stream")

    def model_of(self, trainer):
        return trainer.language_model

    def loss(self, config):
        return TokenCrossEntropy()

    def chance_loss(self, model, prepared):
        return math.log(model.vocabulary_size)

    def callbacks(self, config, model, tokenizer, prepared, log):
        callbacks = [LanguageModelMetricsCallback()]
        if config.training.pipeline == "stream":
            callbacks.insert(0, ResetStatesCallback())
        return callbacks

    def _validation(self, config, model, tokenizer, prepared):
        training = config.training
        return evaluate_language_model(
            model, prepared.extras["valid_ids"], batch_size=training.eval_batch_size,
            sequence_length=training.sequence_length, jit_compile=training.jit_compile,
            character_level=isinstance(tokenizer, CharTokenizer))

    def before_training(self, config, model, tokenizer, prepared, log):
        before = self._validation(config, model, tokenizer, prepared)
        log(f"Before fine-tuning: validation loss {before['loss']:.4f}, perplexity {before['perplexity']:.2f}.")
        return {"validation_before_fine_tuning": before}

    def evaluate(self, config, model, tokenizer, prepared, summary, log):
        training = config.training
        after = self._validation(config, model, tokenizer, prepared)
        character_level = "bits_per_character" in after
        log(f"Validation: loss {after['loss']:.4f} nats/token, perplexity {after['perplexity']:.2f}"
            + (f", {after['bits_per_character']:.3f} bits/char" if character_level else "") + ".")
        trained_tokens = summary["train_steps"] * training.batch_size * training.sequence_length
        metrics = {"validation": after,
                   "train_tokens_per_second": trained_tokens / max(summary["training_seconds"], 1e-9)}
        before = summary["before"].get("validation_before_fine_tuning")
        if before:
            sources = ", ".join(map(expand_data_dir, config.data.train))
            log(f"Fine-tuning on {sources}: validation perplexity "
                f"{before['perplexity']:.2f} before, {after['perplexity']:.2f} after.")
        if model.start_state:
            window = prime_start_state(model, prepared.extras["priming_ids"], tokenizer.newline_id)
            metrics["start_state"] = {"primed_on_tokens": len(window), "text": tokenizer.decode(
                list(window[::-1] if model.reverse else window))[-200:]}
            log(f"Start state for generation: primed on the last {len(window):,} tokens of the training text "
                "up to a line break.")
        prompt = config.sample_prompt
        # Counted, not reported: under --strict an error here would lose the model just trained.
        unknown = count_unknown(tokenizer, [("sample_prompt", None, prompt)]).unknown if prompt else {}
        if unknown:
            log(f"The sample prompt {prompt!r} has {tokenizer.symbol_name} outside this vocabulary "
                f"({', '.join(map(repr, unknown))}); the model "
                + ("reads them as <unk>." if tokenizer.unknown_id is not None else "leaves them out."))
        sample = TextGenerator(model, tokenizer, sampler="top_k", k=10, temperature=0.8).generate(
            prompt, max_length=config.sample_length, seed=training.seed)
        metrics["sample"] = sample
        log("Sample:\n" + sample)
        return metrics

    def card(self, config, metrics):
        model, training, data = config["model"], config["training"], config["data"]
        validation = data["validation"] or [f"last {data['validation_fraction']:.0%} of the training text"]
        train_part = "" if data["validation"] else f", first {1 - data['validation_fraction']:.0%}"
        prepared = data.get("prepared")
        return CardParts(
            summary=[f"A {'backward (right-to-left) ' if model.get('reverse') else ''}{model['num_layers']}-layer "
                     f"{model['cell_type'].upper()} language model ({config['tokenizer']['kind']} tokens, vocabulary "
                     f"{metrics['vocabulary_size']}, {metrics['parameters']:,} parameters), trained with seqtk."],
            train=(f"the corpus prepared in {prepared} ({metrics['train_tokens']:,} tokens; its `manifest.json` "
                   "lists the files)" if prepared else
                   f"{', '.join(map(str, data['train']))}{train_part} ({metrics['train_tokens']:,} tokens)"),
            validation=(f"the prepared corpus's validation tokens ({metrics['validation']['tokens']:,} scored)"
                        if prepared else f"{', '.join(map(str, validation))} ({metrics['validation']['tokens']:,} "
                        "tokens scored)"),
            training=[f"- Pipeline `{training['pipeline']}`, BPTT {training['sequence_length']}"],
            epochs=f" ({metrics['train_tokens_per_second']:.0f} tokens/s)",
            report_title="Validation metrics (whole stream, carried state)",
            report=["```json", json.dumps(metrics["validation"], indent=2), "```"])

    def read_evaluation_data(self, paths, options, config):
        return read_texts(paths)

    def evaluate_examples(self, members, texts, batch_size, options):
        (_, model, tokenizer, config), = members
        (_, reads), = self.texts_by_tokenizer(tokenizer, texts)
        ids = encode_texts(tokenizer, texts, reverse=model.reverse)
        report = evaluate_language_model(
            model, ids, batch_size=batch_size, sequence_length=config.training.sequence_length,
            jit_compile=config.training.jit_compile, character_level=isinstance(tokenizer, CharTokenizer))
        return {**report, "unknown_symbols": count_unknown(tokenizer, reads).to_dict()}

    def format_evaluation(self, report):
        return json.dumps(report, indent=2)

