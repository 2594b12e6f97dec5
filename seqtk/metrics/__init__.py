"""Evaluation metrics."""

from seqtk.metrics.classification import classification_report, confusion_matrix, format_report
from seqtk.metrics.perplexity import bits_per_character, perplexity

__all__ = [
    "bits_per_character",
    "classification_report",
    "confusion_matrix",
    "format_report",
    "perplexity",
]
