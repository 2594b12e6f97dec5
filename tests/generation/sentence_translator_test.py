"""SentenceTranslator: texts in, translations out, in order, batched as one at a time; limits and errors."""

import pytest
import tensorflow as tf
from search_references import END, MAX_LENGTH

from seqtk.generation.greedy_search import greedy_search
from seqtk.generation.sentence_translator import SentenceTranslator
from seqtk.tokenizers import WordTokenizer


class SentenceTranslatorTest:
    def make(self, reverser, **kwargs):
        model, _ = reverser
        tokenizer = WordTokenizer([str(i) for i in range(3, 13)])
        return SentenceTranslator(model, tokenizer, tokenizer, max_target_length=MAX_LENGTH, **kwargs), tokenizer

    def test_translates_in_input_order_and_matches_greedy_ids(self, reverser):
        translator, tokenizer = self.make(reverser)
        _, source = reverser
        texts = [tokenizer.decode(row[row > 0].tolist()) for row in source]
        translations = translator.translate(texts, batch_size=7)
        tokens, _ = greedy_search(reverser[0], tf.constant(source), END, END, MAX_LENGTH)
        for text, row in zip(translations, tokens.numpy()):
            ids = row.tolist()
            assert text == tokenizer.decode(ids[: ids.index(END)] if END in ids else ids)
        assert translator.translate(texts[3]) == translations[3]
        assert translator.translate(texts[:9], beam_size=3) == [translator.translate(t, beam_size=3) for t in texts[:9]]

    def test_long_sources_are_cut_with_a_warning_naming_the_first(self, reverser):
        translator, _ = self.make(reverser, max_source_length=3)
        with pytest.warns(UserWarning, match=r"1 source sentence\(s\) exceed the model's limit of 3 tokens .*"
                                             r"first: input.txt, line 2"):
            translated = translator.translate(["3 4", "5 6 7 8 9"], locations=["input.txt, line 1", "input.txt, line 2"])
        assert translated[1] == translator.translate("5 6 7")

    def test_empty_sentence_is_an_error_naming_it(self, reverser):
        translator, _ = self.make(reverser)
        with pytest.raises(ValueError, match=r"sentence 2: the source sentence encodes to no tokens"):
            translator.translate(["3 4", "  "])
