"""A tokenizer as a config's `tokenizer` section says: its kind, its limits, its clean-up, a warning when the
vocabulary is smaller than asked."""

import pytest

from seqtk.errors import TokenizerError
from seqtk.tokenizers import CharTokenizer, WordTokenizer
from seqtk.tokenizers.build_tokenizer import build_tokenizer
from seqtk.training.config import TokenizerConfig

TEXTS = [("a.txt", "The film was <b>good</b>, the film was long.\n"), ("b.txt", "A good film.\n")]


class BuildTokenizerTest:
    def test_each_kind_with_its_settings_and_the_normalizer_kept(self):
        char = build_tokenizer(TokenizerConfig(kind="char"), TEXTS)
        assert isinstance(char, CharTokenizer) and char.decode(char.encode("film")) == "film"
        logs = []
        word = build_tokenizer(TokenizerConfig(kind="word", vocabulary_size=100, lowercase=True,
                                               normalize=["strip_html"]), TEXTS, logs.append)
        assert isinstance(word, WordTokenizer) and word.encode("<b>The</b>") == word.encode("the")
        assert logs and logs[0].startswith("Warning: a.txt, b.txt: tokenizer.vocabulary_size 100 is more than")

    def test_an_unknown_kind_is_an_error(self):
        settings = TokenizerConfig()
        settings.kind = "bytes"
        with pytest.raises(TokenizerError, match="tokenizer.kind must be char, word or sentencepiece"):
            build_tokenizer(settings, TEXTS)
