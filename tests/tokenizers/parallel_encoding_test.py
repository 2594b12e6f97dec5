"""Encoding on several processes gives what one process gives, in order."""

from seqtk.tokenizers import WordTokenizer
from seqtk.tokenizers.parallel_encoding import ParallelEncoder


class ParallelEncoderTest:
    def test_workers_give_the_tokenizers_ids_in_order(self, tmp_path):
        tokenizer = WordTokenizer.train(["the cat sat on the mat", "a dog ran"])
        tokenizer.save(tmp_path)
        texts = [f"the cat sat {i}\n" for i in range(12)] + ["a dog ran\n"]
        expected = [tokenizer.encode(text) for text in texts]
        with ParallelEncoder(str(tmp_path), workers=0) as encoder:
            alone = list(encoder.encode(texts))
        with ParallelEncoder(str(tmp_path), workers=2) as encoder:
            together = list(encoder.encode(texts, reverse=True))
        assert [list(ids) for ids, _, _ in alone] == expected
        assert [list(ids)[::-1] for ids, _, _ in together] == expected
        assert [size for _, size, _ in alone] == [len(t.encode("utf-8")) for t in texts]
        assert alone[0][2] == 1 and alone[-1][2] == 0  # "0" and the digits are outside the vocabulary
