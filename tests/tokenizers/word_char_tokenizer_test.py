import numpy as np
import pytest

from seqtk.errors import TokenizerError
from seqtk.tokenizers import WordCharTokenizer, load_tokenizer

SENTENCES = [["Angela", "Merkel", "visited", "Paris", "in", "2019", "."], ["New York", "is", "big", "."]]


def test_whole_tokens_are_words_and_their_characters_are_read_as_written():
    tokenizer = WordCharTokenizer.train(SENTENCES, lowercase=True, normalize=["zero_digits"])
    word_ids, char_ids = tokenizer.encode_tokens(["MERKEL", "New York", "1999", "Berlin"], max_word_length=20)
    words = tokenizer.words.vocabulary
    # Lowercased and digits zeroed for the word lookup; a token with a space is one word; Berlin is unknown.
    assert [words[i] for i in word_ids] == ["merkel", "new york", "0000", "<unk>"]
    assert char_ids.shape == (4, 8)  # "New York" is the longest: 8 characters
    # Characters as written: upper-case E, R, K, L never occur in training (unknown), every digit of 1999 does.
    assert tokenizer.chars.decode(char_ids[0]) == "M" + "\ufffd" * 5
    assert tokenizer.chars.decode(char_ids[2]) == "1999"
    assert (char_ids[3, 6:] == 0).all() and (char_ids[3, :6] > 0).all()  # padded after the word


def test_long_words_keep_their_first_and_last_characters():
    tokenizer = WordCharTokenizer.train([["internationalization"]])
    _, char_ids = tokenizer.encode_tokens(["internationalization"], max_word_length=7)
    assert tokenizer.chars.decode(char_ids[0]) == "intetion"[:4] + "ion"


def test_saves_and_loads_both_vocabularies_and_the_normalizer(tmp_path):
    tokenizer = WordCharTokenizer.train(SENTENCES, min_frequency=1, lowercase=True, normalize=["zero_digits"])
    tokenizer.save(tmp_path)
    loaded = load_tokenizer(tmp_path)
    assert isinstance(loaded, WordCharTokenizer)
    for tokens in (SENTENCES[0], ["Unseen", "Ünïcode", "42"]):
        for a, b in zip(tokenizer.encode_tokens(tokens, 5), loaded.encode_tokens(tokens, 5), strict=True):
            np.testing.assert_array_equal(a, b)
    assert loaded.unknown_symbols("Angela visited Berlin")[1] == {"berlin": 1}  # as the vocabulary would hold it


def test_without_characters_there_is_no_character_vocabulary():
    tokenizer = WordCharTokenizer.train(SENTENCES, characters=False)
    assert tokenizer.char_vocabulary_size == 0
    word_ids, char_ids = tokenizer.encode_tokens(["Paris"], 20)
    assert word_ids.tolist() == [tokenizer.words.token_index["Paris"]] and char_ids.shape == (1, 1)


def test_a_folder_that_names_another_kind_is_refused(tmp_path):
    tokenizer = WordCharTokenizer.train(SENTENCES)
    tokenizer.save(tmp_path)
    tokenizer.words.save(tmp_path / "char_tokenizer")  # a word tokenizer where the characters belong
    with pytest.raises(TokenizerError, match="a word_char tokenizer holds a word tokenizer and a char tokenizer"):
        load_tokenizer(tmp_path)
