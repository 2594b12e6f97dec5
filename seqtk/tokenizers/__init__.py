"""Tokenizers: character, word and SentencePiece, with one interface."""

from seqtk.tokenizers.char_tokenizer import CharTokenizer
from seqtk.tokenizers.sentencepiece_tokenizer import SentencePieceTokenizer
from seqtk.tokenizers.tokenizer import Tokenizer, load_tokenizer
from seqtk.tokenizers.word_tokenizer import WordTokenizer

__all__ = ["CharTokenizer", "SentencePieceTokenizer", "Tokenizer", "WordTokenizer", "load_tokenizer"]
