import pytest

from seqtk.tokenizers import CharTokenizer, WordTokenizer
from seqtk.tokenizers.build_tokenizer import build_tokenizer
from seqtk.tokenizers.unknown_symbols import count_unknown, report_unknown, unknown_symbol_policy
from seqtk.training.config import TokenizerConfig


def reports(tokenizer, located, what="Training data", corpus=True, **policy):
    logged = []
    with unknown_symbol_policy(log=logged.append, **policy):
        count = report_unknown(tokenizer, located, what, corpus=corpus)
    return count, logged


class ReportTest:
    def test_counts_share_and_most_frequent_unknown_symbols(self):
        tokenizer = CharTokenizer.train(["hello world\n"])
        count, logged = reports(tokenizer, [("a.txt", None, "hello 2°2\n"), ("b.txt", None, "world")])
        assert (count.symbols, count.unknown_total) == (15, 3)
        assert count.to_dict() == {"symbols": 15, "unknown": 3, "share": 0.2, "most_frequent": {"2": 2, "°": 1}}
        assert logged[0] == ("Training data: 3 of 15 characters (20.00%) are not in the vocabulary and are read as "
                             "<unk>; most frequent: '2' ×2, '°' ×1.")
        # Only a.txt (3 of 10) passes the 5% threshold; its warning names it, its share and the remedy.
        assert len(logged) == 2 and logged[1].startswith("Warning: a.txt: 30.0% of its characters")
        assert "--extend-vocabulary" in logged[1] and "from scratch" in logged[1]

    def test_a_corpus_without_unknown_symbols_says_so_and_an_input_stays_quiet(self):
        tokenizer = CharTokenizer.train(["hello world\n"])
        assert reports(tokenizer, [("a.txt", None, "hello")])[1] == ["Training data: all 5 characters are in the "
                                                                     "vocabulary."]
        assert reports(tokenizer, [("prompt", None, "hello")], corpus=False)[1] == []

    def test_threshold_is_configurable(self):
        tokenizer = CharTokenizer.train(["hello world\n"])
        located = [("a.txt", None, "hello wor2d")]  # 1 of 11: 9.1%
        assert any(line.startswith("Warning: a.txt") for line in reports(tokenizer, located)[1])
        assert not any(line.startswith("Warning") for line in reports(tokenizer, located, threshold=0.1)[1])
        with pytest.raises(ValueError, match="between 0 and 1"):
            with unknown_symbol_policy(threshold=5):
                pass

    def test_a_corpus_of_unknown_symbols_only_is_warned_about(self):
        tokenizer = CharTokenizer.train(["abc"])
        _, logged = reports(tokenizer, [("greek.txt", None, "αβγ δ")])
        assert logged[-1].startswith("Warning: greek.txt: none of its 5 characters are in this model's vocabulary")

    def test_inputs_get_one_warning_for_all(self):
        tokenizer = WordTokenizer.train(["the cat sat"])
        _, logged = reports(tokenizer, [("argument 1", None, "the dog"), ("argument 2", None, "a cat")],
                            what="Input", corpus=False)
        assert logged[0].startswith("Input: 2 of 4 words (50.00%)")
        assert logged[1].startswith("Warning: Input: 50.0% of its words")

    def test_a_model_without_unk_leaves_unknown_symbols_out(self):
        tokenizer = CharTokenizer(list("ab"))
        _, logged = reports(tokenizer, [("p", None, "abz")], corpus=False)
        assert "left out (this model has no unknown symbol)" in logged[0]
        assert tokenizer.encode("abz") == [1, 2]


class StrictTest:
    def test_names_the_file_and_line_of_the_first_unknown_symbol(self):
        tokenizer = CharTokenizer.train(["hello world\n"])
        text = "hello\nworld\nhello 2°\nwor3d\n"
        with pytest.raises(ValueError, match=r"^corpus.txt, line 3: Characters \['2', '°'\] are not in this "
                                             r"model's vocabulary \(11 ids\)\. --strict"):
            reports(tokenizer, [("corpus.txt", None, text)], strict=True)

    def test_located_examples_keep_their_own_line(self):
        tokenizer = WordTokenizer.train(["good bad film"])
        located = [("train.tsv", 2, "good film"), ("train.tsv", 7, "bad movie")]
        with pytest.raises(ValueError, match=r"^train.tsv, line 7: Words \['movie'\]"):
            reports(tokenizer, located, strict=True)

    def test_nothing_unknown_passes(self):
        tokenizer = CharTokenizer.train(["hello world\n"])
        count, _ = reports(tokenizer, [("a.txt", None, "hello")], strict=True)
        assert count.unknown_total == 0


def test_counting_reads_the_text_normalized_as_encoding_does():
    tokenizer = build_tokenizer(TokenizerConfig(kind="char", normalize=["lowercase"]), [("a", "abc")])
    assert count_unknown(tokenizer, [("b", None, "ABCD")]).unknown == {"d": 1}


def test_a_word_vocabulary_larger_than_the_corpus_is_reduced_with_a_warning_naming_the_source():
    logged = []
    tokenizer = build_tokenizer(TokenizerConfig(kind="word", vocabulary_size=100), [("reviews.tsv", "a b c a")],
                                log=logged.append)
    assert tokenizer.vocabulary_size == 6
    assert logged == ["Warning: reviews.tsv: tokenizer.vocabulary_size 100 is more than this corpus supports "
                      "(distinct words); the vocabulary has 6 entries. Set tokenizer.vocabulary_size to at most 6 "
                      "to silence this."]
    logged.clear()
    build_tokenizer(TokenizerConfig(kind="word", vocabulary_size=5), [("reviews.tsv", "a b c a")], log=logged.append)
    assert logged == []
