import json
import warnings

import pytest

from seqtk.tokenizers import CharTokenizer, SentencePieceTokenizer, WordTokenizer, load_tokenizer
from seqtk.tokenizers.sentencepiece_tokenizer import VocabularyReducedWarning

TEXT = "First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n"


class CharTokenizerTest:
    def test_round_trip_and_padding_id(self):
        tokenizer = CharTokenizer.train([TEXT])
        ids = tokenizer.encode(TEXT)
        assert 0 not in ids
        assert tokenizer.decode(ids) == TEXT
        assert tokenizer.vocabulary_size == len(set(TEXT)) + 2  # padding and <unk>
        assert tokenizer.unknown_id == 1 and tokenizer.unknown_id not in ids

    def test_unknown_characters_are_read_as_unk(self):
        tokenizer = CharTokenizer.train(["abc"])
        ids = tokenizer.encode("abz°")
        assert ids == [tokenizer.encode("a")[0], tokenizer.encode("b")[0], 1, 1]
        assert tokenizer.decode(ids) == "ab\ufffd\ufffd"
        assert tokenizer.unknown_symbols("abz°z") == (5, {"z": 2, "°": 1})

    def test_a_tokenizer_saved_without_unk_loads_and_keeps_its_ids(self, tmp_path):
        # What seqtk wrote before characters had <unk>: the same ids, and unknown characters left out.
        (tmp_path / "tokenizer.json").write_text(json.dumps({"kind": "char", "characters": list("ab c\n")}))
        tokenizer = load_tokenizer(tmp_path)
        assert tokenizer.unknown_id is None and tokenizer.vocabulary_size == 6
        assert tokenizer.encode("a b\nc") == [1, 3, 2, 5, 4]
        assert tokenizer.encode("a z b") == [1, 3, 3, 2]
        assert tokenizer.unknown_symbols("a z b") == (5, {"z": 1})

    def test_extended_keeps_every_id_and_adds_unk_to_a_tokenizer_without_one(self):
        old = CharTokenizer(list("ab c"))
        grown = old.extended(["z", "°", "a"])
        assert grown.characters == list("ab c") + ["<unk>", "z", "°"]
        assert grown.encode("a b c") == old.encode("a b c")
        assert grown.encode("z°q") == [6, 7, 5]
        assert CharTokenizer.train(["abc"]).extended(["z"]).encode("z") == [5]

    def test_save_and_load(self, tmp_path):
        tokenizer = CharTokenizer.train([TEXT])
        tokenizer.save(tmp_path)
        assert load_tokenizer(tmp_path).encode(TEXT) == tokenizer.encode(TEXT)


class WordTokenizerTest:
    def test_newlines_become_eos_and_round_trip(self):
        tokenizer = WordTokenizer.train(["the cat sat\nthe dog sat\n"])
        ids = tokenizer.encode("the cat sat\n")
        assert ids[-1] == tokenizer.eos_id
        assert tokenizer.decode(ids) == "the cat sat\n"

    def test_min_frequency_and_max_size_map_rare_words_to_unk(self):
        tokenizer = WordTokenizer.train(["a a a b b c\n"], min_frequency=2)
        assert tokenizer.vocabulary == ["<pad>", "<unk>", "<eos>", "a", "b"]
        assert tokenizer.encode("c") == [tokenizer.unk_id]
        capped = WordTokenizer.train(["a a a b b c\n"], max_size=4)
        assert capped.vocabulary_size == 4 and capped.encode("b") == [capped.unk_id]

    def test_save_and_load(self, tmp_path):
        tokenizer = WordTokenizer.train([TEXT], lowercase=True)
        tokenizer.save(tmp_path)
        restored = load_tokenizer(tmp_path)
        assert restored.encode("SPEAK, speak.") == tokenizer.encode("speak, speak.")

    def test_unknown_words_and_extension(self):
        tokenizer = WordTokenizer.train(["the cat sat"], lowercase=True)
        assert tokenizer.unknown_symbols("The dog sat <unk> dog") == (5, {"dog": 2})  # a literal <unk> is known
        grown = tokenizer.extended(["dog", "cat"])
        assert grown.vocabulary == tokenizer.vocabulary + ["dog"]
        assert grown.encode("the cat sat") == tokenizer.encode("the cat sat")
        assert grown.encode("dog") == [len(tokenizer.vocabulary)] and tokenizer.encode("dog") == [tokenizer.unk_id]


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


def test_load_from_directory_without_tokenizer_names_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="no tokenizer here"):
        load_tokenizer(tmp_path)


class TokenizerPairTest:
    def test_separate_tokenizers_save_and_load_in_one_directory(self, tmp_path):
        from seqtk.tokenizers import TokenizerPair

        pair = TokenizerPair(WordTokenizer.train(["ein hund läuft"]), CharTokenizer.train(["a dog runs"]))
        pair.save(tmp_path)
        loaded = load_tokenizer(tmp_path)
        assert isinstance(loaded, TokenizerPair) and not loaded.joint
        assert loaded.source.encode("ein hund") == pair.source.encode("ein hund")
        assert loaded.target.decode(loaded.target.encode("a dog")) == "a dog"
        assert loaded.newline_id == pair.target.newline_id

    def test_a_joint_tokenizer_is_saved_once_and_serves_both_sides(self, tmp_path):
        from seqtk.tokenizers import TokenizerPair

        pair = TokenizerPair(WordTokenizer.train(["ein hund a dog"]))
        pair.save(tmp_path)
        loaded = load_tokenizer(tmp_path)
        assert loaded.joint and loaded.source.encode("dog hund") == pair.target.encode("dog hund")
        assert sorted(p.name for p in tmp_path.iterdir()) == ["source_tokenizer", "tokenizer.json"]
