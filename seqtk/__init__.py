"""seqtk: recurrent sequence models on text, from training to phones."""

from seqtk.generation import TextGenerator, generate, get_sampler
from seqtk.layers import (
    ActivationRegularization,
    EmbeddingDropout,
    LockedDropout,
    RecurrentLayer,
    RecurrentStack,
    TiedEmbedding,
)
from seqtk.models import LanguageModel, TextClassifier, load_model_directory, save_model_directory
from seqtk.tokenizers import CharTokenizer, SentencePieceTokenizer, WordTokenizer, load_tokenizer

__version__ = "0.1.0"

__all__ = [
    "ActivationRegularization",
    "CharTokenizer",
    "EmbeddingDropout",
    "LanguageModel",
    "LockedDropout",
    "RecurrentLayer",
    "RecurrentStack",
    "SentencePieceTokenizer",
    "TextClassifier",
    "TextGenerator",
    "TiedEmbedding",
    "WordTokenizer",
    "generate",
    "get_sampler",
    "load_model_directory",
    "load_tokenizer",
    "save_model_directory",
]
