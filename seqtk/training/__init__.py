"""Training, the same for every task: configs base, the runner, optimizers, schedules, callbacks, trainers."""

from seqtk.training.callbacks import (
    LanguageModelMetricsCallback,
    ResetStatesCallback,
    TimeBudgetCallback,
    ValidationMetricsCallback,
)
from seqtk.training.carried_state_model import CarriedStateModel
from seqtk.training.checkpoint import CheckpointCallback, restore_training_state
from seqtk.training.config import RunConfig, TokenizerConfig, TrainingConfig
from seqtk.training.distribution import Distribution, choose_distribution
from seqtk.training.layerwise_trainer import GroupScheduleCallback, LayerwiseTrainer
from seqtk.training.masked_sequence_loss import MaskedSequenceLoss
from seqtk.training.optimizer import make_optimizer
from seqtk.training.runner import run_training
from seqtk.training.slanted_triangular_schedule import SlantedTriangularSchedule

# Names that moved when the tasks got one runner: the old spelling says where to go.
_MOVED = {
    "train_language_model": "seqtk.tasks.train(config) (or seqtk.tasks.get_task('lm').train)",
    "train_classifier": "seqtk.tasks.train(config) (or seqtk.tasks.get_task('classifier').train)",
    "train_translator": "seqtk.tasks.train(config) (or seqtk.tasks.get_task('translator').train)",
    "load_config": "seqtk.tasks.load_config(config, overrides, data, task=...)",
    "fine_tuning_config": "seqtk.tasks.fine_tuning_config",
    "available_configs": "seqtk.tasks.available_configs(task)",
    "LanguageModelConfig": "seqtk.tasks.LanguageModelConfig",
    "ClassifierConfig": "seqtk.tasks.ClassifierConfig",
    "TranslatorConfig": "seqtk.tasks.TranslatorConfig",
    "evaluate_language_model": "seqtk.inference.evaluate_language_model",
    "evaluate_translator": "seqtk.inference.evaluate_translator",
    "ValidationBleuCallback": "seqtk.training.ValidationMetricsCallback(*seqtk.tasks.translator.validation_bleu(...))",
}


def __getattr__(name):
    if name in _MOVED:
        raise AttributeError(f"seqtk.training.{name} has moved: use {_MOVED[name]}.")
    raise AttributeError(f"module 'seqtk.training' has no attribute {name!r}")


__all__ = [
    "CarriedStateModel",
    "CheckpointCallback",
    "Distribution",
    "GroupScheduleCallback",
    "LanguageModelMetricsCallback",
    "LayerwiseTrainer",
    "MaskedSequenceLoss",
    "ResetStatesCallback",
    "RunConfig",
    "SlantedTriangularSchedule",
    "TimeBudgetCallback",
    "TokenizerConfig",
    "TrainingConfig",
    "ValidationMetricsCallback",
    "choose_distribution",
    "make_optimizer",
    "restore_training_state",
    "run_training",
]
