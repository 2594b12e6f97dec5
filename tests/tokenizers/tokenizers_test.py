import pytest

from seqtk.tokenizers import CharTokenizer, SentencePieceTokenizer, WordTokenizer, load_tokenizer

TEXT = "First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n"


class CharTokenizerTest:
    def test_round_trip_and_padding_id(self):
        tokenizer = CharTokenizer.train([TEXT])
        ids = tokenizer.encode(TEXT)
        assert 0 not in ids
        assert tokenizer.decode(ids) == TEXT
        assert tokenizer.vocabulary_size == len(set(TEXT)) + 1

    def test_unknown_character_is_a_clear_error(self):
        tokenizer = CharTokenizer.train(["abc"])
        with pytest.raises(ValueError, match=r"\['z'\] are not in this model's vocabulary"):
            tokenizer.encode("abz")

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

    def test_too_large_vocabulary_names_the_fix(self, tmp_path):
        path = tmp_path / "tiny.txt"
        path.write_text("a b c\n")
        with pytest.raises(ValueError, match="Lower tokenizer.vocabulary_size"):
            SentencePieceTokenizer.train([str(path)], vocabulary_size=5000)


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
