"""Fuzzing the tokenizers with arbitrary Unicode (hypothesis): surrogates, combining marks, NUL, right-to-left
text, long lines. Each input encodes to ids inside the vocabulary and decodes back as each tokenizer promises."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seqtk.data.text_sources import BUNDLED, read_text_file
from seqtk.errors import TokenizerError
from seqtk.tokenizers import CharTokenizer, SentencePieceTokenizer, WordTokenizer
from seqtk.tokenizers.char_tokenizer import UNKNOWN_TEXT

# Every category, surrogates (Cs) and private use included; plus the awkward ones made likely.
ANY_CHARACTER = st.characters(codec=None, categories=None)
AWKWARD = st.sampled_from(["\0", "\u0301", "\u200f", "\u202e", "\ufeff", "\n", "\r", "\t", " ", "\ud800",
                           "\U0001f600", "\u05d0", "\u0627"])
TEXT = st.text(st.one_of(ANY_CHARACTER, AWKWARD), max_size=300) | st.builds(
    lambda c, n: c * n, st.one_of(ANY_CHARACTER, AWKWARD), st.integers(1000, 20_000)) | st.lists(
    # The word tokenizer's own symbols spelled in the text, among other words.
    st.one_of(st.sampled_from(["<pad>", "<eos>", "<unk>", " ", "\n"]), st.text(max_size=4)), max_size=30).map("".join)


@given(corpus=TEXT, other=TEXT)
def test_char_tokenizer_round_trip(corpus, other):
    if not corpus:
        with pytest.raises(TokenizerError, match="the training text was empty"):
            CharTokenizer.train([corpus])
        return
    tokenizer = CharTokenizer.train([corpus])
    ids = tokenizer.encode(corpus)
    assert all(0 < i < tokenizer.vocabulary_size for i in ids)
    assert tokenizer.decode(ids) == corpus
    # Characters it never saw become <unk>, one for one.
    expected = "".join(c if c in corpus else UNKNOWN_TEXT for c in other)
    assert tokenizer.decode(tokenizer.encode(other)) == expected


@given(corpus=TEXT, other=TEXT)
def test_word_tokenizer_round_trip(corpus, other):
    tokenizer = WordTokenizer.train([corpus])  # no words at all gives a vocabulary of the special symbols
    ids = tokenizer.encode(corpus)
    assert all(0 < i < tokenizer.vocabulary_size for i in ids)
    # Words are split on whitespace within each line; lines are kept. "<pad>" or "<eos>" in the text is an
    # unknown word (never padding or a line break).
    spelled = lambda word: "<unk>" if word in ("<pad>", "<eos>") else word  # noqa: E731
    assert tokenizer.decode(ids) == "\n".join(" ".join(map(spelled, line.split())) for line in corpus.split("\n"))
    assert all(0 < i < tokenizer.vocabulary_size for i in tokenizer.encode(other))


SHAKESPEARE = read_text_file(BUNDLED["tinyshakespeare"])[:100_000]


@pytest.fixture(scope="module")
def sentencepiece():
    return SentencePieceTokenizer.train_from_texts([SHAKESPEARE], vocabulary_size=300)


@given(text=TEXT)
def test_sentencepiece_encodes_any_text(sentencepiece, text):
    ids = sentencepiece.encode(text)
    assert all(0 < i < sentencepiece.vocabulary_size for i in ids)
    assert sentencepiece.decode(ids).count("\n") == text.count("\n")


@given(text=st.text(st.sampled_from(sorted(set(SHAKESPEARE))), max_size=500))
def test_sentencepiece_round_trip_within_its_alphabet(sentencepiece, text):
    decoded = sentencepiece.decode(sentencepiece.encode(text))
    # SentencePiece folds runs of spaces and strips each line's ends; nothing else changes.
    assert decoded == "\n".join(" ".join(line.split()) for line in text.split("\n"))
