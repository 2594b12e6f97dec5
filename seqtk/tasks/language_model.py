"""The language-model task (`seqtk train lm`): next-token prediction on a token stream, many-to-many."""

import dataclasses
import json
import math
import os

import keras

from seqtk.data.labeled_text import read_labeled, read_splits
from seqtk.data.language_model_dataset import encode_texts, stream_batches, window_batches
from seqtk.data.text_sources import expand_data_dir, read_texts
from seqtk.data.token_shards import (
    TOKENIZER_FOLDER,
    TokenShards,
    local_files,
    read_manifest,
    text_sample,
    tokenizer_fingerprint,
    write_manifest,
    write_token_shards,
)
from seqtk.errors import ConfigError, DataError
from seqtk.generation.start_state import PRIMING_TOKENS, prime_start_state
from seqtk.generation.text_generator import TextGenerator
from seqtk.inference.language_model_evaluation import evaluate_language_model
from seqtk.models.language_model import LanguageModel
from seqtk.models.model_directory import CONFIG_FILE
from seqtk.tasks.registry import get_task, load_model_directory, register_task
from seqtk.tasks.task import CardParts, PreparedData, Task, TaskData
from seqtk.tokenizers.build_tokenizer import build_tokenizer
from seqtk.tokenizers.char_tokenizer import CharTokenizer
from seqtk.tokenizers.tokenizer import load_tokenizer
from seqtk.tokenizers.unknown_symbols import count_unknown, report_unknown
from seqtk.training.callbacks import LanguageModelMetricsCallback, ResetStatesCallback
from seqtk.training.carried_state_model import CarriedStateModel
from seqtk.training.config import (
    DataConfig,
    RunConfig,
    TokenizerConfig,
    TrainingConfig,
    WeightDropModelConfig,
    at_least,
    choice,
    column,
    default,
    option,
)


@dataclasses.dataclass
class LanguageModelDataConfig(DataConfig):
    train: list = default(["bundled:tinyshakespeare"])
    tfds_text_key: str = option("text", help="tfds: the feature that holds the text.")
    text_column: int | str = column("", help=(
        "Text from one column of a labelled file (TSV, CSV, JSON lines): a name or 0-based index; \"\" "
        "reads plain text."))
    format: str = choice("auto", "tsv", "csv", "jsonl", "label_text", help=(
        "text_column: the files' format; auto: from the extension."))
    prepared: str = option("", help=(
        "A corpus `seqtk prepare` tokenized into shards on disk: training streams from it (memory stays "
        "flat however large it is) instead of reading data.train; its validation split (or held-out tail) "
        "validates."))


@dataclasses.dataclass
class LanguageModelModelConfig(WeightDropModelConfig):
    tie_weights: bool = option(False, help=(
        "Tie the output layer to the embedding (Press and Wolf 2017; the last layer's size must be "
        "embedding_dim)."))
    residual: bool = option(False, help="Add each recurrent layer's input to its output (layers of one size).")
    activation_regularization: float = at_least(0.0, 0.0, help=(
        "AR: penalty on the last layer's (dropped-out) outputs' magnitude (Merity et al. 2017: 2)."))
    temporal_activation_regularization: float = at_least(0.0, 0.0, help=(
        "TAR: penalty on the change of the last layer's outputs from one step to the next (Merity et al. 2017: "
        "1)."))
    reverse: bool = option(False, help="Read text right to left: the backward model of a ULMFiT pair.")
    start_state: bool = option(True, help=(
        "Record, after training, the state the model reaches at a line break of its training text, and "
        "start generation from it (a model trained with carried state has almost never seen the zero "
        "state)."))


@dataclasses.dataclass
class LanguageModelTrainingConfig(TrainingConfig):
    pipeline: str = choice("stream", "windows", help=(
        "stream: the state carries across batches (truncated BPTT) | windows: shuffled independent windows."))
    batch_size: int = default(20)
    sequence_length: int = at_least(35, 1, help="BPTT length: tokens per step, in training and evaluation.")
    eval_batch_size: int = default(10)


@dataclasses.dataclass
class LanguageModelConfig(RunConfig):
    name: str = default("language_model")
    sample_prompt: str = option("", help="After training, a sample is generated from this prompt.")
    sample_length: int = at_least(300, 0, help="Tokens of the sample generated after training.")
    data: LanguageModelDataConfig = option(default_factory=LanguageModelDataConfig, help="The training data.")
    tokenizer: TokenizerConfig = option(default_factory=TokenizerConfig, help="How texts become tokens.")
    model: LanguageModelModelConfig = option(default_factory=LanguageModelModelConfig, help="The network.")
    training: LanguageModelTrainingConfig = option(default_factory=LanguageModelTrainingConfig,
                                                   help="How it trains.")


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
    """`(named_train, named_valid)` from the data section: plain text, or one column of a labelled file."""
    if data.text_column:
        read = lambda sources: read_labeled(  # noqa: E731
            sources, data.format, text_column=data.text_column, labeled=False)
        train, valid = read_splits(read, data)
        return _column_texts(train), _column_texts(valid)
    named_train = read_texts(data.train, tfds_text_key=data.tfds_text_key)
    if data.validation:
        return named_train, read_texts(data.validation, tfds_text_key=data.tfds_text_key)
    return split_validation(named_train, data.validation_fraction)


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


def sample_texts(directory, prompt="", num_samples=1, max_length=300, sampler="top_k", seed=None, **sampler_kwargs):
    """`num_samples` texts sampled from the language model saved in `directory`, each starting with
    `prompt`; sample `i` uses `seed + i`. `sampler_kwargs`: `temperature`, `k`, `p`."""
    model, tokenizer, _ = load_model_directory(directory, task="lm")
    if prompt:
        report_unknown(tokenizer, [("the prompt", None, prompt)], "Prompt")
    generator = TextGenerator(model, tokenizer, sampler=sampler, **sampler_kwargs)
    return [generator.generate(prompt, max_length=max_length, seed=None if seed is None else seed + index)
            for index in range(num_samples)]


class PreparedCorpus:
    """A corpus `seqtk prepare` wrote (`data.prepared`): its training tokens on disk, its validation tokens,
    its tokenizer. Training reads it batch by batch (`TokenShards`); nothing of it is loaded whole."""

    def __init__(self, directory):
        self.directory = directory
        self.manifest = read_manifest(directory)
        boundary = self.manifest.get("validation_from")
        self.train = TokenShards(directory, "train", stop=boundary)
        self.validation = (TokenShards(directory, "validation") if "validation" in self.manifest["splits"]
                           else TokenShards(directory, "train", start=boundary))

    def tokenizer(self):
        return load_tokenizer(os.path.join(self.directory, TOKENIZER_FOLDER))

    def check(self, tokenizer, reverse):
        """`(train_tokens, validation_ids)` once the model's tokenizer and direction are the corpus's."""
        if tokenizer_fingerprint(tokenizer) != self.manifest["tokenizer_hash"]:
            raise DataError(f"{self.directory}: the corpus was prepared with another tokenizer than this model's "
                            "(their hashes differ); prepare it again with `seqtk prepare ... --tokenizer-from "
                            "<model folder>`, or train a new model on it.")
        if bool(reverse) != bool(self.manifest.get("reverse", False)):
            raise DataError(f"{self.directory}: the corpus was prepared "
                            f"{'right to left' if self.manifest.get('reverse') else 'left to right'}, and "
                            f"model.reverse is {str(bool(reverse)).lower()}; prepare it with the same "
                            "model.reverse.")
        return self.train, self.validation.read(0, len(self.validation))


# A corpus prepared without data.validation holds out its last validation_fraction of tokens, at most this
# many (they are read into memory for every evaluation).
MAX_HELD_OUT_TOKENS = 10_000_000
TOKENIZER_SAMPLE_BYTES = 256 << 20  # the text a tokenizer for a prepared corpus is trained on, at most


def prepare_corpus(config, output, tokenizer_from=None, workers=None, log=print):
    """Tokenizes `config.data.train` (and `data.validation`) once into token shards under `output`, with
    a manifest and the tokenizer, for training with `data.prepared: <output>` (`seqtk prepare`).

    The tokenizer is `tokenizer_from`'s (a saved model or tokenizer folder: to fine-tune that model), or
    one trained as `config.tokenizer` says on up to 256 MB of the training files (an equal share of each).

    Returns:
        The manifest: token counts per split and file, shards, the tokenizer's hash, MB/s.
    """
    data = config.data
    if data.text_column:
        raise ConfigError("seqtk prepare reads plain text files; data.text_column (one column of a labelled "
                          "file) is read whole: train on it without prepare.")
    paths = local_files(data.train)
    if tokenizer_from:
        tokenizer = load_tokenizer(tokenizer_from)
        log(f"Tokenizer: {tokenizer_from}'s ({tokenizer.kind}, vocabulary {tokenizer.vocabulary_size}).")
    else:
        sample = text_sample(paths, TOKENIZER_SAMPLE_BYTES)
        log(f"Training the tokenizer on {sum(len(t) for _, t in sample) / 1e6:,.1f} MB of the "
            f"{len(paths)} training file(s).")
        tokenizer = build_tokenizer(config.tokenizer, sample, log)
    splits = {"train": data.train, "validation": data.validation}
    manifest = write_token_shards(tokenizer, splits, output, reverse=config.model.reverse, workers=workers, log=log)
    if not data.validation:
        total = manifest["splits"]["train"]["tokens"]
        held = min(int(total * data.validation_fraction), MAX_HELD_OUT_TOKENS)
        manifest["validation_from"] = total - held
        write_manifest(output, manifest)
        log(f"No data.validation: the last {held:,} tokens validate "
            f"({data.validation_fraction:.0%} of the stream, at most {MAX_HELD_OUT_TOKENS:,}).")
    return manifest


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
        return keras.losses.SparseCategoricalCrossentropy(from_logits=True)

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

