"""Task models built from seqtk layers, and their on-disk directories."""

from seqtk.models.language_model import LanguageModel
from seqtk.models.model_directory import read_model_directory, save_model_directory
from seqtk.models.seq2seq_translator import Seq2SeqTranslator
from seqtk.models.sequence_tagger import SequenceTagger
from seqtk.models.text_classifier import TextClassifier

__all__ = [
    "LanguageModel",
    "Seq2SeqTranslator",
    "SequenceTagger",
    "TextClassifier",
    "read_model_directory",
    "save_model_directory",
]
