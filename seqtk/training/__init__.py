"""Training: configs, the carried-state trainer, callbacks, evaluation and the language-model run."""

from seqtk.training.callbacks import (
    CheckpointCallback,
    LanguageModelMetricsCallback,
    ResetStatesCallback,
    TimeBudgetCallback,
    restore_training_state,
)
from seqtk.training.carried_state_model import CarriedStateModel
from seqtk.training.classifier_trainer import train_classifier
from seqtk.training.config import (
    ClassifierConfig,
    LanguageModelConfig,
    TranslatorConfig,
    available_configs,
    fine_tuning_config,
    load_config,
)
from seqtk.training.evaluation import evaluate_language_model
from seqtk.training.language_model_trainer import train_language_model
from seqtk.training.layerwise_trainer import GroupScheduleCallback, LayerwiseTrainer
from seqtk.training.masked_sequence_loss import MaskedSequenceLoss
from seqtk.training.slanted_triangular_schedule import SlantedTriangularSchedule
from seqtk.training.translator_evaluation import ValidationBleuCallback, evaluate_translator
from seqtk.training.translator_trainer import train_translator

__all__ = [
    "CarriedStateModel",
    "CheckpointCallback",
    "ClassifierConfig",
    "GroupScheduleCallback",
    "LanguageModelConfig",
    "LanguageModelMetricsCallback",
    "LayerwiseTrainer",
    "MaskedSequenceLoss",
    "ResetStatesCallback",
    "SlantedTriangularSchedule",
    "TimeBudgetCallback",
    "TranslatorConfig",
    "ValidationBleuCallback",
    "available_configs",
    "evaluate_language_model",
    "evaluate_translator",
    "fine_tuning_config",
    "load_config",
    "restore_training_state",
    "train_classifier",
    "train_language_model",
    "train_translator",
]
