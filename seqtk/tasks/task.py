"""What differs from one task to the next; the runner (`seqtk.training.runner`) does the rest."""

import dataclasses

from seqtk.tokenizers.unknown_symbols import report_unknown
from seqtk.training.config import ConfigError, build_config, set_fields
from seqtk.training.model_card import reproduce_section, vocabulary_section


@dataclasses.dataclass
class TaskData:
    """A task's training and validation data as `Task.read_data` read them, and the settings reading them
    set (`labels`, `tags`, `data.scheme`: dotted keys), which the runner resolves into the run's config."""

    train: object
    validation: object
    settings: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class PreparedData:
    """A task's training and validation datasets, what the task keeps for its evaluation, and counts for
    `metrics.json` (`statistics`)."""

    train: object
    validation: object
    statistics: dict = dataclasses.field(default_factory=dict)
    extras: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class CardParts:
    """What a task's model card says beyond the parts every card has (`Task.model_card`)."""

    summary: list  # the lines under the title: what the model is
    train: str  # the training data line, after "Train: "
    validation: str  # the validation data line, after "Validation: "
    report: list  # the validation section's lines
    data: list = dataclasses.field(default_factory=list)  # more lines of the data section
    training: list = dataclasses.field(default_factory=list)  # lines of the training section before the common ones
    batch: str = ""  # words added to the batch and optimizer line
    epochs: str = ""  # words added to the epochs line
    vocabularies: list = None  # `(label, tokenizer settings, size)` when not the one `tokenizer`
    report_title: str = "Validation"


class Task:
    """One kind of model seqtk trains: its data, tokenizer, model, datasets, evaluation and card.

    A task is a module in `seqtk/tasks/` with a subclass of this class registered by name
    (`register_task`), a config class (a `RunConfig` whose sections extend the shared ones), named configs
    in `seqtk/configs/<name>/` and an exporter registered under the same name in `seqtk.export`.
    Everything the tasks share (config resolution, optimizer, schedules, early stopping, checkpoints and
    resume, time budget, mixed precision, XLA, distribution, TensorBoard, saving, the card's frame) is done
    once by `run_training` and this class.

    What a task supplies, all of it here (docs/adding-a-task.md walks through an example):

    - attributes: `name`, `config_class`, `model_class`; `takes_init_from` (a saved model to start from),
      `evaluates_several_models` (averaged), `validation_batch` (the training key `fit`'s validation batch
      is), `retired_keys` (config keys of earlier versions, dropped on loading).
    - data: `read_data`, `build_tokenizer`, `texts_by_tokenizer`, `file_of`, `prepare`.
    - model: `build_model`, `initialize_from` (with `takes_init_from`), `trainer` and `model_of` (a training
      wrapper), `loss`, `metrics`.
    - training: `callbacks`, `chance_loss`, `before_training`.
    - results: `evaluate`, `card` (the card's task-specific parts), `read_evaluation_data` and
      `evaluate_examples` (`seqtk evaluate`), `format_evaluation`.
    - optional verbs: `training_config` (a fine-tuning run's defaults), `prepare_corpus` (`seqtk prepare`).

    Example:
    >>> task = get_task("classifier")
    >>> config = task.load_config("sst2_ulmfit_bidirectional", overrides=["training.epochs=1"])
    >>> result = task.train(config)      # {"directory": "models/sst2_ulmfit_bidirectional", "metrics": {...}}
    """

    name = None  # the registry key: `seqtk train <name>`, configs/<name>/, the exporter, metadata.json's task
    config_class = None
    model_class = None
    takes_init_from = False
    evaluates_several_models = False
    validation_batch = "eval_batch_size"
    retired_keys = ()

    # Configs.

    def load_config(self, config=None, overrides=(), data=None):
        """This task's config from its defaults, a named config or file, `--data` and `key=value` overrides;
        each value is checked as it is set, the rules between values by `validate` when a run starts."""
        return build_config(self.config_class, self.name, config, overrides, data, elsewhere=self._elsewhere)

    def training_config(self, config=None, overrides=(), data=None, init_from=None):
        """The config `seqtk train <task>` runs with these arguments (a task that fine-tunes may start
        from the base model's own settings)."""
        self.check_init_from(init_from)
        return self.load_config(config, overrides, data)

    def prepare_corpus(self, config, output, tokenizer_from=None, workers=None, log=print):
        """Tokenizes the config's training data once into shards on disk (`seqtk prepare`); a task whose
        training reads a token stream has it."""
        raise ConfigError(f"seqtk prepare makes token shards for language models; the {self.name} task reads "
                          "its files as they are.")

    def starts_from(self, config, init_from):
        """The saved models a run started from, whose training its card tells: `init_from`, and the backward
        language model of a task that takes one (`init_from_backward`)."""
        backward = getattr(config, "init_from_backward", "")
        return [init_from, *([backward] if backward else [])] if init_from else []

    def check_init_from(self, init_from):
        if init_from and not self.takes_init_from:
            raise ConfigError(f"The {self.name} task trains from scratch and takes no --init-from "
                              "(use --resume to continue an interrupted run).")

    def config_from_dict(self, values, source):
        """The typed config of a saved model's `config.yaml` (`values` the mapping read from it)."""
        values = {k: (dict(v) if isinstance(v, dict) else v) for k, v in (values or {}).items() if k != "task"}
        for key in self.retired_keys:
            section, _, name = key.partition(".")
            if isinstance(values.get(section), dict):
                values[section].pop(name, None)
        result = self.config_class()
        set_fields(result, values, source, elsewhere=self._elsewhere, task=self.name)
        return result

    def _elsewhere(self, path):
        from seqtk.tasks.registry import tasks_with_key

        return tasks_with_key(path, exclude=self.name)

    # What the runner asks of a task, in the order it asks.

    def read_data(self, config, log):
        """A `TaskData`: `train` and `validation` as the task reads them, validated (errors name file, line
        and fix), and the settings they determine (`{"labels": [...]}`)."""
        raise NotImplementedError

    def build_tokenizer(self, config, train, log):
        """The tokenizer trained on `train` as `config.tokenizer` says (`log` takes its warnings)."""
        raise NotImplementedError

    def texts_by_tokenizer(self, tokenizer, data):
        """`[(tokenizer, located_texts)]`: which of the task's tokenizers reads which texts of `data` (as
        `read_data` returned it), each text a `(source, line, text)` triple (`line` None for a whole
        file); a third item names the side in reports when there are several. The runner counts and
        reports unknown symbols with it, and grows the vocabulary from it."""
        raise NotImplementedError

    def build_model(self, config, tokenizer):
        raise NotImplementedError

    def initialize_from(self, config, directory, log):
        """`(model, tokenizer, settings)` to start from the saved model in `directory` (fine-tuning,
        transfer); `settings` are what the run's config takes from it (its tokenizer and model sections,
        as dotted keys or sections). A task that has it sets `takes_init_from`."""
        raise NotImplementedError

    def prepare(self, config, tokenizer, train, validation, log):
        """A `PreparedData` with the batched `tf.data` datasets (of known cardinality)."""
        raise NotImplementedError

    def trainer(self, model, config):
        """The Keras model `fit` runs: the model itself, or a wrapper (carried state, per-group rates)."""
        return model

    def model_of(self, trainer):
        """The task's model inside a trainer restored from a checkpoint."""
        return trainer

    def loss(self, config):
        raise NotImplementedError

    def metrics(self, config):
        return []

    def file_of(self, item):
        """The file one item of the task's training data (`read_data`) came from: sharding by file
        gives each worker of a multi-worker run the items of its own files."""
        raise NotImplementedError(f"the {self.name} task does not say which file its data came from")

    def callbacks(self, config, model, tokenizer, prepared, log):
        """Callbacks that run before the runner's: they add the logged values the task monitors
        (`seqtk.training.callbacks.ValidationMetricsCallback`)."""
        return []

    def chance_loss(self, model, prepared):
        """The training loss of a model that guesses uniformly (ln of the number of classes per prediction,
        in the loss's own units): a loss far above it means the run diverged, which `training.on_nan`
        handles as it does a NaN. `None` (the default) checks only that the loss is finite."""
        return None

    def before_training(self, config, model, tokenizer, prepared, log):
        """Metrics of a model loaded with `initialize_from`, before it trains (default: none)."""
        return {}

    def evaluate(self, config, model, tokenizer, prepared, summary, log):
        """The trained model's metrics (`validation` first); `summary` holds `train_steps`,
        `training_seconds` and `before` (what `before_training` returned)."""
        raise NotImplementedError

    def card(self, config, metrics):
        """The task's parts of its model card (`CardParts`); `config` is the config as a mapping."""
        raise NotImplementedError

    def model_card(self, config, metrics, command):
        """The MODEL_CARD.md text: the task's `card` parts in the frame every card has."""
        parts = self.card(config, metrics)
        training = config["training"]
        vocabularies = parts.vocabularies or [("", config["tokenizer"], metrics["vocabulary_size"])]
        lines = [
            f"# {config['name']}", "", *parts.summary, "",
            "## Data", f"- Train: {parts.train}", f"- Validation: {parts.validation}", *parts.data,
            *vocabulary_section(metrics, vocabularies), "",
            "## Training", *parts.training,
            f"- Batch {training['batch_size']}, optimizer {training['optimizer']} lr {training['learning_rate']}, "
            f"clip {training['clipnorm']}{parts.batch}",
            f"- Epochs run: {metrics['epochs_run']}, training time {metrics['training_seconds']:.0f} s"
            f"{parts.epochs} on {metrics['machine']}", "",
            f"## {parts.report_title}", *parts.report,
        ]
        return "\n".join(lines + reproduce_section(command, config, metrics))

    # Saved models.

    def read_evaluation_data(self, paths, options, config):
        """The data files `paths` read for `evaluate_saved`, with the evaluation's `options` (`format`,
        columns) or else the model's own config's settings."""
        raise NotImplementedError

    def evaluate_examples(self, members, examples, batch_size, options):
        """The report of the saved model(s) on `examples` (`read_evaluation_data`)."""
        raise NotImplementedError

    def evaluate_saved(self, members, paths, options):
        """The report of saved model(s) on the data files `paths`; `members` are `(directory, model,
        tokenizer, config)` tuples and `options` the evaluation's settings (`batch_size`, ...). The symbols
        outside each model's vocabulary are reported (read sides only: a translator's references are text)."""
        config = members[0][3]
        examples = self.read_evaluation_data(paths, options, config)
        for directory, _, tokenizer, _ in members:
            side, reads, *label = self.texts_by_tokenizer(tokenizer, examples)[0]
            names = [f"({name})" for name in label + ([directory] if len(members) > 1 else [])]
            report_unknown(side, reads, " ".join(["Evaluation data", *names]), corpus=True)
        batch_size = options.get("batch_size") or config.training.eval_batch_size
        return self.evaluate_examples(members, examples, batch_size, options)

    def format_evaluation(self, report):
        """The report as the terminal shows it."""
        raise NotImplementedError

    def train(self, config, init_from=None, resume=False, command=None, log=print, callbacks=()):
        """Runs `run_training` for this task; returns `{"directory", "metrics", "model", "trainer"}`."""
        from seqtk.training.runner import run_training

        return run_training(self, config, init_from=init_from, resume=resume, command=command, log=log,
                            callbacks=callbacks)


def validation_text(data, what):
    """A card's validation line: the configured files, or the held-out share of the training `what`."""
    return ", ".join(map(str, data["validation"])) if data["validation"] else (
        f"{data['validation_fraction']:.0%} of the training {what} held out (split seed {data['split_seed']})")
