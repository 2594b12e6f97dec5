"""SentenceTagger: batched tagging equals tagging one sentence at a time; tags come back in the output scheme."""

import numpy as np
import pytest

from seqtk.data.tag_schemes import convert
from seqtk.inference.sentence_tagging import SentenceTagger, unknown_tags
from seqtk.data.tagged_text import TaggedSentence
from seqtk.models import SequenceTagger
from seqtk.tokenizers.word_char_tokenizer import WordCharTokenizer

SENTENCES = [["Angela", "Merkel", "visited", "Paris", "."], ["Hi"], ["The", "Paris", "office", "of", "Acme", "."]]
TAGS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"]


@pytest.fixture(scope="module")
def model_and_tokenizer():
    tokenizer = WordCharTokenizer.train(SENTENCES)
    model = SequenceTagger(tokenizer.vocabulary_size, len(TAGS), char_vocabulary_size=tokenizer.char_vocabulary_size,
                           embedding_dim=8, char_embedding_dim=4, char_hidden_dim=4, hidden_dim=8, seed=2)
    return model, tokenizer


class SentenceTaggerTest:
    def test_a_batch_tags_as_single_sentences_do(self, model_and_tokenizer):
        model, tokenizer = model_and_tokenizer
        tagger = SentenceTagger(model, tokenizer, TAGS, 10)
        together = tagger.tag(SENTENCES, batch_size=3)
        alone = [tagger.tag([s], batch_size=1)[0] for s in SENTENCES]
        assert together == alone and [len(t) for t in together] == [len(s) for s in SENTENCES]
        assert all(tag in TAGS for tags in together for tag in tags)

    def test_tags_are_returned_in_the_output_scheme(self, model_and_tokenizer):
        model, tokenizer = model_and_tokenizer
        bio = SentenceTagger(model, tokenizer, TAGS, 10, scheme="BIO").tag(SENTENCES)
        bioes = SentenceTagger(model, tokenizer, TAGS, 10, scheme="BIO", output_scheme="BIOES")
        assert bioes.tag(SENTENCES) == [tuple(convert(list(t), "BIO", "BIOES")) for t in bio]
        assert {"S-PER", "E-LOC"} <= set(bioes.output_tags)
        with pytest.raises(ValueError, match="A sentence to tag has no tokens"):
            bioes.tag([["Paris"], []])

    def test_unknown_gold_tags_are_counted_most_frequent_first(self):
        sentences = [TaggedSentence(("a", "b", "c"), ("X", "O", "X"), "dev.txt", 1),
                     TaggedSentence(("d",), ("Y",), "dev.txt", 5)]
        assert unknown_tags(sentences, ["O"]) == {"X": 2, "Y": 1}
        assert np.sum(list(unknown_tags(sentences, ["O", "X", "Y"]).values())) == 0
