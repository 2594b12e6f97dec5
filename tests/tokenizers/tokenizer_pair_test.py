"""TokenizerPair: a translator's two tokenizers, or one joint, saved in one folder."""



from seqtk.tokenizers import CharTokenizer, WordTokenizer, load_tokenizer


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
