"""Task models built from seqtk layers, and their on-disk directories."""

from seqtk.models.language_model import LanguageModel
from seqtk.models.model_directory import load_model_directory, save_model_directory
from seqtk.models.text_classifier import TextClassifier

__all__ = ["LanguageModel", "TextClassifier", "load_model_directory", "save_model_directory"]
