"""Task models built from seqtk layers, and their on-disk directories."""

from seqtk.models.language_model import LanguageModel
from seqtk.models.model_directory import load_model_directory, save_model_directory

__all__ = ["LanguageModel", "load_model_directory", "save_model_directory"]
