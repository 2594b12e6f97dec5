"""WordTokenizer: words and <eos>, frequency and size limits, <unk>, extension, files."""



from seqtk.tokenizers import WordTokenizer, load_tokenizer

TEXT = "First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n"


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
