"""SentencePieceTokenizer: trained on files or loaded, padding at 0, reduced vocabularies, extension."""

import warnings

import pytest

from seqtk.tokenizers import SentencePieceTokenizer, load_tokenizer
from seqtk.tokenizers.sentencepiece_tokenizer import VocabularyReducedWarning


class SentencePieceTokenizerTest:
    @pytest.mark.parametrize("model_type", ["unigram", "bpe"])
    def test_train_on_files_round_trip_and_reload(self, corpus_file, tmp_path, model_type):
        tokenizer = SentencePieceTokenizer.train([corpus_file], vocabulary_size=300, model_type=model_type)
        assert tokenizer.vocabulary_size == 300
        text = "Before we proceed any further,\nhear me speak."
        ids = tokenizer.encode(text)
        assert 0 not in ids and tokenizer.eos_id in ids
        assert tokenizer.decode(ids) == text
        tokenizer.save(tmp_path)
        assert (tmp_path / "sentencepiece.model").exists()
        assert load_tokenizer(tmp_path).encode(text) == ids

    @pytest.mark.parametrize("eos_id", [2, -1])
    def test_model_trained_elsewhere_keeps_id_zero_for_padding(self, corpus_file, tmp_path, eos_id):
        import sentencepiece

        prefix = str(tmp_path / "external")
        # SentencePiece's own defaults: <unk>=0, <s>=1, </s>=2 (or none), no padding piece.
        sentencepiece.SentencePieceTrainer.train(input=corpus_file, model_prefix=prefix, vocab_size=200,
                                                 eos_id=eos_id, minloglevel=2)
        tokenizer = SentencePieceTokenizer.from_file(prefix + ".model")
        text = "hear me speak\nAll:"
        ids = tokenizer.encode(text)
        assert min(ids) >= 1 and max(ids) < tokenizer.vocabulary_size
        assert tokenizer.vocabulary_size == 200 + 1 + (eos_id < 0)
        assert ids.count(tokenizer.eos_id) == 1
        assert tokenizer.decode(ids) == text

    @pytest.mark.parametrize("model_type", ["unigram", "bpe"])
    def test_a_vocabulary_larger_than_the_corpus_supports_is_reduced_with_a_warning(self, corpus_file, model_type):
        with pytest.warns(VocabularyReducedWarning, match=r"a vocabulary of 5000 pieces is more than this corpus "
                                                          r"supports; using \d+"):
            tokenizer = SentencePieceTokenizer.train([corpus_file], vocabulary_size=5000, model_type=model_type)
        assert 50 < tokenizer.vocabulary_size < 5000
        text = "Before we proceed any further,\nhear me speak."
        assert tokenizer.decode(tokenizer.encode(text)) == text
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a size the corpus supports trains as asked, silently
            assert SentencePieceTokenizer.train([corpus_file], vocabulary_size=100,
                                                model_type=model_type).vocabulary_size == 100

    @pytest.mark.parametrize("model_type", ["unigram", "bpe"])
    def test_unknown_characters_and_extension_keep_every_existing_id(self, corpus_file, model_type, tmp_path):
        tokenizer = SentencePieceTokenizer.train([corpus_file], vocabulary_size=200, model_type=model_type)
        text = "hear me speak, 20°C ♯"
        total, unknown = tokenizer.unknown_symbols(text)
        assert total == len(text) and set(unknown) >= {"°", "♯"} and "h" not in unknown
        ids = tokenizer.encode(text)
        assert tokenizer.unknown_id in ids
        grown = tokenizer.extended(list(unknown))
        assert grown.vocabulary_size == tokenizer.vocabulary_size + len(unknown)
        assert grown.encode("hear me speak") == tokenizer.encode("hear me speak")
        assert grown.unknown_symbols(text) == (len(text), {})
        assert grown.decode(grown.encode(text)) == text
        grown.save(tmp_path)
        assert load_tokenizer(tmp_path).encode(text) == grown.encode(text)
