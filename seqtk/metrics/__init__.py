"""Evaluation metrics."""

from seqtk.metrics.perplexity import bits_per_character, perplexity

__all__ = ["bits_per_character", "perplexity"]
