"""CharTokenizer: characters to ids and back, <unk>, extension, files."""

import json

from seqtk.tokenizers import CharTokenizer, load_tokenizer

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
