"""Tokenizers: character, word and SentencePiece, with one interface."""

from seqtk.tokenizers.build_tokenizer import build_tokenizer
from seqtk.tokenizers.char_tokenizer import CharTokenizer
from seqtk.tokenizers.sentencepiece_tokenizer import SentencePieceTokenizer
from seqtk.tokenizers.text_normalizer import TextNormalizer
from seqtk.tokenizers.tokenizer import Tokenizer, load_tokenizer
from seqtk.tokenizers.tokenizer_pair import TokenizerPair
from seqtk.tokenizers.unknown_symbols import count_unknown, report_unknown, unknown_symbol_policy
from seqtk.tokenizers.word_char_tokenizer import WordCharTokenizer
from seqtk.tokenizers.word_tokenizer import WordTokenizer

__all__ = [
    "CharTokenizer", "SentencePieceTokenizer", "TextNormalizer", "Tokenizer", "TokenizerPair", "WordCharTokenizer",
    "WordTokenizer",
    "build_tokenizer", "count_unknown", "load_tokenizer", "report_unknown", "unknown_symbol_policy",
]
