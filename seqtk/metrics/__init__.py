"""Evaluation metrics."""

from seqtk.metrics.classification import classification_report, confusion_matrix, format_report
from seqtk.metrics.perplexity import bits_per_character, perplexity
from seqtk.metrics.tagging import entity_scores, token_accuracy
from seqtk.metrics.translation import translation_scores

__all__ = [
    "bits_per_character",
    "classification_report",
    "confusion_matrix",
    "entity_scores",
    "format_report",
    "perplexity",
    "token_accuracy",
    "translation_scores",
]
