import numpy as np
import pytest

from seqtk.data.classification_dataset import (
    bucketed_order,
    classification_batches,
    encode_examples,
    label_ids,
    label_names,
    pad_batch,
)
from seqtk.data.labeled_text import LabeledExample
from seqtk.tokenizers.char_tokenizer import CharTokenizer


def examples(pairs, source="d.tsv"):
    return [LabeledExample(t, label, source, i + 2) for i, (t, label) in enumerate(pairs)]


class LabelsTest:
    def test_integer_labels_sort_by_value(self):
        assert label_names(["10", "2", "1", "2"]) == ["1", "2", "10"]
        assert label_names(["pos", "neg", "neutral"]) == ["neg", "neutral", "pos"]

    def test_unseen_labels_are_counted_not_dropped(self):
        data = examples([("a", "pos"), ("b", "meh"), ("c", "meh"), ("d", "??")])
        with pytest.raises(ValueError) as error:
            label_ids(data, ["neg", "pos"])
        message = str(error.value)
        assert "3 example(s)" in message and "'meh' ×2 (first at d.tsv, line 3)" in message
        assert "'??' ×1 (first at d.tsv, line 5)" in message and "['neg', 'pos']" in message


class EncodingTest:
    def test_truncation_keeps_head_or_tail(self):
        tokenizer = CharTokenizer.train(["abcdef"])
        data = examples([("abcdef", "x")])
        head, = encode_examples(tokenizer, data, max_length=3, truncation="head")
        tail, = encode_examples(tokenizer, data, max_length=3, truncation="tail")
        assert tokenizer.decode(head) == "abc" and tokenizer.decode(tail) == "def"

    def test_head_tail_keeps_a_quarter_from_the_start_and_the_rest_from_the_end(self):
        tokenizer = CharTokenizer.train(["abcdefghijkl"])
        data = examples([("abcdefghijkl", "x"), ("abc", "y")])
        long, short = encode_examples(tokenizer, data, max_length=8, truncation="head_tail")
        assert tokenizer.decode(long) == "ab" + "ghijkl" and tokenizer.decode(short) == "abc"
        with pytest.raises(ValueError, match="head_tail"):
            encode_examples(tokenizer, data, max_length=8, truncation="middle")

    def test_unknown_characters_are_read_as_unk(self):
        tokenizer = CharTokenizer.train(["abc"])
        encoded = encode_examples(tokenizer, examples([("abc", "x"), ("abz", "y")]))
        assert encoded[1].tolist() == tokenizer.encode("ab") + [tokenizer.unknown_id]


class BatchingTest:
    def test_pad_batch_rounds_length_up(self):
        batch = pad_batch([np.array([1, 2, 3]), np.array([4])], pad_multiple=8)
        assert batch.shape == (2, 8)
        np.testing.assert_array_equal(batch[1], [4, 0, 0, 0, 0, 0, 0, 0])

    def test_bucketing_covers_every_index_once_and_cuts_padding(self):
        rng = np.random.default_rng(0)
        lengths = rng.integers(1, 400, size=3000)
        batches = bucketed_order(lengths, 32, shuffle=True, seed=1)
        assert sorted(np.concatenate(batches).tolist()) == list(range(3000))

        def padding(order):
            return sum(len(b) * lengths[b].max() - lengths[b].sum() for b in order)

        random_order = np.array_split(rng.permutation(3000), len(batches))
        assert padding(batches) < 0.1 * padding(random_order)
        assert [b.tolist() for b in bucketed_order(lengths, 32, True, seed=1)] == [b.tolist() for b in batches]
        assert [b.tolist() for b in bucketed_order(lengths, 32, True, seed=2)] != [b.tolist() for b in batches]

    def test_dataset_yields_every_example_with_its_label_and_reshuffles(self):
        sequences = [np.arange(1, n + 1, dtype=np.int32) for n in range(1, 41)]
        labels = np.arange(40) % 3
        dataset = classification_batches(sequences, labels, batch_size=8, seed=0, pad_multiple=4)
        first = list(dataset.one_pass(0).as_numpy_iterator())
        seen = {}
        for ids, batch_labels in first:
            assert ids.shape[1] % 4 == 0
            for row, label in zip(ids, batch_labels, strict=True):
                seen[int((row > 0).sum())] = int(label)
        assert seen == {n: (n - 1) % 3 for n in range(1, 41)}
        second = list(dataset.one_pass(1).as_numpy_iterator())
        assert [b[1].tolist() for b in first] != [b[1].tolist() for b in second]
