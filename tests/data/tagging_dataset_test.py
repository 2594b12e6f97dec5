import numpy as np

from seqtk.data.tagged_text import TaggedSentence
from seqtk.data.tagging_dataset import encode_sentences, pad_tagged, tag_ids, tagging_batches
from seqtk.tokenizers import WordCharTokenizer


def sentences(count):
    rng = np.random.default_rng(0)
    words = ["the", "cat", "sat", "on", "a", "mat", "quickly", "extraordinarily"]
    result = []
    for i in range(count):
        tokens = tuple(rng.choice(words, size=int(rng.integers(1, 12))))
        result.append(TaggedSentence(tokens, tuple("N" if len(t) > 3 else "D" for t in tokens), "x", i + 1))
    return result


def test_batches_hold_every_sentence_once_per_pass_each_distinct_word_spelled_once():
    data = sentences(50)
    tokenizer = WordCharTokenizer.train([s.tokens for s in data])
    encoded, tags = encode_sentences(tokenizer, data, max_word_length=6), tag_ids(data, ["D", "N"])
    stream = tagging_batches(encoded, tags, batch_size=8, seed=3, pad_multiple=4)
    seen = []
    for (words, spellings, index), labels in stream.one_pass(0).as_numpy_iterator():
        assert words.shape[1] % 4 == 0 and index.shape == words.shape == labels.shape
        assert spellings.shape[0] % 8 == 0 and spellings.shape[1] % 4 == 0 and not spellings[0].any()
        used = index[words > 0]
        # Each spelling row is distinct, and every token's row spells that token; padding points to row 0.
        real_rows = {spellings[r].tobytes() for r in set(used.tolist())}
        assert len(real_rows) == len(set(used.tolist()))
        assert (index[words == 0] == 0).all() and (used > 0).all()
        for row in range(len(words)):
            length = int((words[row] > 0).sum())
            assert (words[row, length:] == 0).all()
            for position in range(length):
                spelled = spellings[index[row, position]]
                assert tokenizer.chars.decode(spelled[spelled > 0]) in {t[:3] + t[-3:] if len(t) > 6 else t
                                                                       for t in ("the", "cat", "sat", "on", "a", "mat",
                                                                                 "quickly", "extraordinarily")}
            seen.append(tuple(words[row, :length]))
    assert sorted(seen) == sorted(tuple(w) for w, _ in encoded)
    assert len(stream) == 7
    # A pass's order is a function of its index alone (what resuming relies on); passes differ.
    first = [b[1].tolist() for b in stream.one_pass(0).as_numpy_iterator()]
    assert first == [b[1].tolist() for b in stream.one_pass(0).as_numpy_iterator()]
    assert first != [b[1].tolist() for b in stream.one_pass(1).as_numpy_iterator()]


def test_a_fixed_character_width_pads_every_word_to_it():
    data = sentences(10)
    tokenizer = WordCharTokenizer.train([s.tokens for s in data])
    encoded = encode_sentences(tokenizer, data, max_word_length=6)
    (words, chars), _ = pad_tagged(encoded, 8, tag_ids(data, ["D", "N"]), char_width=6)  # spelled in place
    longest = max(len(s.tokens) for s in data)
    assert words.shape == (10, -(-longest // 8) * 8) and chars.shape == (*words.shape, 6)
    # "extraordinarily" keeps its first 3 and last 3 characters.
    spelled = {tokenizer.chars.decode(row[row > 0]) for sentence in chars for row in sentence if row.any()}
    assert "extily" in spelled


def test_tags_outside_the_list_get_the_id_given():
    data = [TaggedSentence(("a", "b"), ("X", "Y"), "x", 1)]
    assert tag_ids(data, ["Y"], unknown=0)[0].tolist() == [0, 0]
    assert tag_ids(data, ["Y", "X"])[0].tolist() == [1, 0]
