"""What differs from one task to the next; the runner (`seqtk.training.runner`) does the rest."""

import dataclasses

from seqtk.training.config import ConfigError, build_config, check_fields, set_fields


@dataclasses.dataclass
class PreparedData:
    """A task's training and validation datasets, what the task keeps for its evaluation, and counts for
    `metrics.json` (`statistics`)."""

    train: object
    validation: object
    statistics: dict = dataclasses.field(default_factory=dict)
    extras: dict = dataclasses.field(default_factory=dict)


class Task:
    """One kind of model seqtk trains: its data, tokenizer, model, datasets, evaluation and card.

    A task is a module in `seqtk/tasks/` with a subclass of this class registered by name
    (`register_task`), a config class (a `RunConfig` holding only the fields it reads), named configs
    in `seqtk/configs/<name>/` and an exporter registered under the same name in `seqtk.export`.
    Everything the tasks share (optimizer, schedules, early stopping, checkpoints and resume, time
    budget, mixed precision, XLA, TensorBoard, saving) is done once by `run_training`.

    Example:
    >>> task = get_task("classifier")
    >>> config = task.load_config("sst2_sentences", overrides=["training.epochs=1"])
    >>> result = task.train(config)      # {"directory": "models/sst2_sentences", "metrics": {...}}
    """

    name = None  # the registry key, as `seqtk train <name>` takes it
    description = ""
    config_class = None
    model_class = None
    # The values `training.monitor` may name (what the task's fit logs), each with its direction.
    monitors = {"val_loss": "min"}
    # Keys that configs saved by earlier versions hold but this task no longer reads: dropped on loading.
    retired_keys = ()
    # Whether `initialize_from` starts from a saved model (`--init-from`).
    takes_init_from = False
    # Whether `evaluate_saved` takes several models of the task at once (averaged).
    evaluates_several_models = False
    # The `training` batch size of the validation data fit runs (split across replicas like the training batch).
    validation_batch = "batch_size"

    # Configs.

    def load_config(self, config=None, overrides=(), data=None):
        """This task's config from its defaults, a named config or file, `--data` and `key=value` overrides."""
        result = build_config(self.config_class, self.name, config, overrides, data, elsewhere=self._elsewhere)
        self.check_config(result, config or "config")
        return result

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

    def init_from_of(self, config, init_from):
        """The saved model a run starts from: `init_from` (`--init-from`), or one the config names."""
        return init_from

    def starts_from(self, config, init_from):
        """The saved models a run started from, whose training its card tells: `init_from`, and for a task
        that takes a backward language model as well, that one."""
        return [init_from] if init_from else []

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

    def check_config(self, config, source="config"):
        """Checks every value (choices, ranges) and what only the task knows (its monitored values)."""
        check_fields(config, source)
        if config.training.monitor not in self.monitors:
            raise ConfigError(f"{source}: training.monitor must be one of {', '.join(self.monitors)} for the "
                              f"{self.name} task; received {config.training.monitor!r}.")

    def _elsewhere(self, path):
        from seqtk.tasks.registry import tasks_with_key

        return tasks_with_key(path, exclude=self.name)

    # What the runner asks of a task, in the order it asks.

    def read_data(self, config, log):
        """`(train, validation)` as the task reads them, validated (errors name file, line and fix)."""
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
        """`(model, tokenizer)` to start from the saved model in `directory` (fine-tuning, transfer); a task
        that has it sets `takes_init_from`."""
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

    def distributed_batch_sizes(self, config):
        """`(key, value)` of each batch size that `fit` splits across replicas (training and validation)."""
        keys = dict.fromkeys(["batch_size", self.validation_batch])
        return [(f"training.{key}", getattr(config.training, key)) for key in keys]

    def callbacks(self, config, model, tokenizer, prepared, log):
        """Callbacks that run before the runner's: they add the logged values the task monitors."""
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

    def model_card(self, config, metrics, command):
        """The MODEL_CARD.md text; `config` is the config as a mapping."""
        raise NotImplementedError

    # Saved models.

    def evaluate_saved(self, members, paths, options):
        """The report of saved model(s) on the data files `paths`; `members` are `(directory, model,
        tokenizer, config)` tuples and `options` the evaluation's settings (`batch_size`, ...)."""
        raise NotImplementedError

    def format_evaluation(self, report):
        """The report as the terminal shows it."""
        raise NotImplementedError

    def train(self, config, init_from=None, resume=False, command=None, log=print, callbacks=()):
        """Runs `run_training` for this task; returns `{"directory", "metrics"}`."""
        from seqtk.training.runner import run_training

        return run_training(self, config, init_from=init_from, resume=resume, command=command, log=log,
                            callbacks=callbacks)
