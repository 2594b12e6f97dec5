"""Texts to id arrays, with errors naming where a bad text came from."""

import numpy as np
import pytest

from seqtk.data.sentence_encoding import encode_sentences
from seqtk.errors import DataError
from seqtk.tokenizers import WordTokenizer


class EncodeSentencesTest:
    def test_ids_are_the_tokenizers_of_the_stripped_text(self):
        tokenizer = WordTokenizer.train(["a witty film", "a dull film"])
        encoded = encode_sentences(tokenizer, ["  a witty film \n", "dull"])
        assert [s.dtype for s in encoded] == [np.int32, np.int32]
        assert encoded[0].tolist() == tokenizer.encode("a witty film") and encoded[1].tolist() == tokenizer.encode("dull")

    def test_a_text_without_tokens_names_its_location(self):
        tokenizer = WordTokenizer.train(["a witty film"])
        with pytest.raises(DataError, match=r"dev.tsv, line 3: the source sentence encodes to no tokens"):
            encode_sentences(tokenizer, ["a film", "  "], locations=["dev.tsv, line 2", "dev.tsv, line 3"],
                             what="source sentence")
