"""Sentence pairs to teacher-forcing batches: length limits, `[start] + target` in, `target + [end]` out."""

import numpy as np
import pytest

from seqtk.data.parallel_text import ParallelExample
from seqtk.data.translation_dataset import encode_pairs, teacher_forcing_batch, translation_batches
from seqtk.errors import DataError
from seqtk.tokenizers import WordTokenizer


class TranslationDatasetTest:
    def test_pairs_over_the_limits_are_left_out_and_counted(self):
        tokenizer = WordTokenizer.train(["a b c d e f"])
        examples = [ParallelExample("a b", "c d", "pairs.tsv", 1), ParallelExample("a b c d e", "f", "pairs.tsv", 2)]
        sources, targets, dropped = encode_pairs(tokenizer, tokenizer, examples, max_source_length=3)
        assert dropped == 1 and [s.tolist() for s in sources] == [tokenizer.encode("a b")]

    def test_the_decoder_reads_start_then_target_and_predicts_target_then_end(self):
        inputs, outputs = teacher_forcing_batch([np.array([5, 6]), np.array([7])], start_id=2, end_id=3)
        assert inputs.tolist() == [[2, 5, 6], [2, 7, 0]] and outputs.tolist() == [[5, 6, 3], [7, 3, 0]]

    def test_every_pair_is_in_one_batch_and_empty_input_is_an_error(self):
        sources = [np.array([4] * n) for n in range(1, 8)]
        stream = translation_batches(sources, sources, batch_size=3, start_id=2, end_id=3, shuffle=False)
        seen = sorted(int((batch[0][0].numpy() > 0).sum(axis=1)[i]) for batch in stream.one_pass()
                      for i in range(batch[0][0].shape[0]))
        assert seen == list(range(1, 8)) and len(stream) == 3
        with pytest.raises(DataError, match="No sentence pairs to batch"):
            translation_batches([], [], 3, 2, 3)
