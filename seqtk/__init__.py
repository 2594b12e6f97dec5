"""seqtk: recurrent sequence models on text, from training to phones."""

from seqtk.export import LiteRTModel, export_tflite
from seqtk.generation import SentenceTranslator, TextGenerator, generate, get_sampler
from seqtk.layers import (
    ActivationRegularization,
    EmbeddingDropout,
    LockedDropout,
    RecurrentLayer,
    RecurrentStack,
    TiedEmbedding,
)
from seqtk.models import LanguageModel, Seq2SeqTranslator, TextClassifier, load_model_directory, save_model_directory
from seqtk.tokenizers import (
    CharTokenizer,
    SentencePieceTokenizer,
    TextNormalizer,
    TokenizerPair,
    WordTokenizer,
    load_tokenizer,
)

__version__ = "0.1.0"

__all__ = [
    "ActivationRegularization",
    "CharTokenizer",
    "EmbeddingDropout",
    "LanguageModel",
    "LiteRTModel",
    "LockedDropout",
    "RecurrentLayer",
    "RecurrentStack",
    "SentencePieceTokenizer",
    "SentenceTranslator",
    "Seq2SeqTranslator",
    "TextClassifier",
    "TextGenerator",
    "TextNormalizer",
    "TiedEmbedding",
    "TokenizerPair",
    "WordTokenizer",
    "export_tflite",
    "generate",
    "get_sampler",
    "load_model_directory",
    "load_tokenizer",
    "save_model_directory",
]
