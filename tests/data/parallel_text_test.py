import json

import numpy as np
import pytest

from seqtk.data.parallel_text import read_parallel
from seqtk.data.translation_dataset import encode_pairs, teacher_forcing_batch, translation_batches
from seqtk.tokenizers import WordTokenizer


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return str(path)


class ParallelTextTest:
    def test_tatoeba_layout_with_the_source_in_the_second_column_and_extra_columns_ignored(self, tmp_path):
        path = write(tmp_path / "fra.txt", "Go.\tVa !\tCC-BY 2.0 (France)\nHi.\tSalut !\tCC-BY 2.0\n")
        pairs = read_parallel([path], source_column=1, target_column=0)
        assert [(p.source, p.target, p.line) for p in pairs] == [("Va !", "Go.", 1), ("Salut !", "Hi.", 2)]

    def test_tsv_columns_by_header_name(self, tmp_path):
        path = write(tmp_path / "pairs.tsv", "id\tde\ten\n1\tEin Hund.\tA dog.\n")
        (pair,) = read_parallel([path], source_column="de", target_column="en")
        assert (pair.source, pair.target, pair.line) == ("Ein Hund.", "A dog.", 2)

    def test_line_aligned_files_as_one_comma_joined_source(self, tmp_path):
        de = write(tmp_path / "train.de", "Ein Hund läuft.\nZwei Katzen.\n")
        en = write(tmp_path / "train.en", "A dog runs.\nTwo cats.\n")
        pairs = read_parallel([f"{de},{en}"])
        assert [(p.source, p.target) for p in pairs] == [("Ein Hund läuft.", "A dog runs."), ("Zwei Katzen.", "Two cats.")]
        assert read_parallel([[de, en]]) == pairs

    def test_line_aligned_files_of_different_lengths_report_both_counts_and_the_first_extra_line(self, tmp_path):
        de = write(tmp_path / "train.de", "eins\nzwei\ndrei\n")
        en = write(tmp_path / "train.en", "one\ntwo\n")
        with pytest.raises(ValueError, match=r"has 3 lines but .*train.en has 2.*train.de, line 3: 'drei'"):
            read_parallel([f"{de},{en}"])

    def test_json_lines_with_named_fields(self, tmp_path):
        rows = [{"fr": "Merci.", "en": "Thanks.", "id": 1}, {"fr": "Oui.", "en": "Yes."}]
        path = write(tmp_path / "pairs.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
        pairs = read_parallel([path], source_column="fr", target_column="en")
        assert [(p.source, p.target) for p in pairs] == [("Merci.", "Thanks."), ("Oui.", "Yes.")]
        with pytest.raises(ValueError, match=r"pairs.jsonl, line 1: no target field 'de'"):
            read_parallel([path], source_column="fr", target_column="de")

    def test_a_row_with_one_column_names_file_and_line(self, tmp_path):
        path = write(tmp_path / "pairs.tsv", "Va !\tGo.\nSalut !\n")
        with pytest.raises(ValueError, match=r"pairs.tsv, line 2: 1 column\(s\).*source<TAB>target"):
            read_parallel([path])

    @pytest.mark.parametrize("text,side", [("Va !\t \n", "target"), ("\tGo.\n", "source")])
    def test_empty_sentences_name_file_and_line(self, tmp_path, text, side):
        path = write(tmp_path / "pairs.tsv", "Salut !\tHi.\n" + text)
        with pytest.raises(ValueError, match=rf"pairs.tsv, line 2: the {side} sentence is empty"):
            read_parallel([path])

    def test_sources_alone_for_translation(self, tmp_path):
        path = write(tmp_path / "input.txt", "Bonjour.\nMerci.\n")
        pairs = read_parallel([path], with_targets=False)
        assert [(p.source, p.target) for p in pairs] == [("Bonjour.", None), ("Merci.", None)]

    def test_tfds_translation_batches_with_language_code_features(self):
        import tensorflow_datasets as tfds

        with tfds.testing.mock_data(num_examples=3):
            pairs = read_parallel(["tfds:wmt14_translate/de-en:validation"], source_column="de", target_column="en")
            with pytest.raises(ValueError, match=r"no target feature 'fr'; its features are \['de', 'en'\]"):
                read_parallel(["tfds:wmt14_translate/de-en"], source_column="de", target_column="fr")
        assert len(pairs) == 3 and all(isinstance(p.source, str) and isinstance(p.target, str) for p in pairs)
        assert pairs[0].origin == "tfds:wmt14_translate/de-en:validation"

    def test_bundled_sample_is_french_then_english(self):
        pairs = read_parallel(["bundled:tatoeba_fr_en_valid"])
        assert len(pairs) == 1000
        assert pairs[1].source == "La radio ne fonctionne pas." and pairs[1].target == "The radio doesn't work."


class TranslationDatasetTest:
    def test_teacher_forcing_shifts_the_target_by_the_start_symbol(self):
        inputs, outputs = teacher_forcing_batch([np.array([5, 6, 7]), np.array([8])], start_id=2, end_id=2)
        np.testing.assert_array_equal(inputs, [[2, 5, 6, 7], [2, 8, 0, 0]])
        np.testing.assert_array_equal(outputs, [[5, 6, 7, 2], [8, 2, 0, 0]])

    def test_pairs_over_the_length_limits_are_dropped_and_counted(self, tmp_path):
        path = write(tmp_path / "pairs.tsv", "a b\tx\na b c d\ty\na\tx y z\n")
        pairs = read_parallel([path])
        tokenizer = WordTokenizer.train(["a b c d x y z"])
        sources, targets, dropped = encode_pairs(tokenizer, tokenizer, pairs, max_source_length=3,
                                                 max_target_length=3)
        assert dropped == 2 and len(sources) == len(targets) == 1
        assert tokenizer.decode(sources[0].tolist()) == "a b"

    def test_batches_cover_every_pair_once_with_little_padding(self):
        rng = np.random.default_rng(0)
        sources = [rng.integers(1, 50, rng.integers(1, 30)) for _ in range(500)]
        targets = [rng.integers(1, 50, len(s) + rng.integers(0, 3)) for s in sources]
        dataset = translation_batches(sources, targets, 32, start_id=2, end_id=3, seed=1, pad_multiple=1).one_pass()
        seen, padding, real = [], 0, 0
        for (source, decoder_inputs), decoder_targets in dataset:
            source, decoder_targets = source.numpy(), decoder_targets.numpy()
            assert source.shape[0] == decoder_inputs.shape[0] == decoder_targets.shape[0]
            assert (decoder_inputs.numpy()[:, 0] == 2).all()
            seen.extend(tuple(row[row > 0]) for row in source)
            padding += int((source == 0).sum())
            real += int((source > 0).sum())
        assert sorted(seen) == sorted(tuple(s) for s in sources)
        assert padding < 0.1 * real
