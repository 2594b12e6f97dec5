import numpy as np
import pytest
import tensorflow as tf
from export_models import converted, translator

from seqtk.export.litert_model import LiteRTModel
from seqtk.export.translator_export import TranslatorExport
from seqtk.generation.beam_search import beam_search
from seqtk.generation.greedy_search import greedy_search


@pytest.fixture(scope="module")
def translation_pair():
    model = translator("gru", bidirectional=True, context_feeding=True)
    export = TranslatorExport(model)
    metadata = {
        "states": dict(zip(export.state_names, export.decoder.state_dims, strict=True)),
        "special_ids": {"start": 2, "end": 3},
        "max_target_length": 9,
    }
    return model, LiteRTModel(model_content=converted(export), metadata=metadata)


class LiteRTTranslationTest:
    def test_greedy_equals_seqtk_greedy_search(self, translation_pair):
        model, lite = translation_pair
        source = [5, 9, 14, 1, 7]
        tokens = np.asarray(greedy_search(model, tf.constant([source]), 2, 3, 9)[0])[0].tolist()
        expected = tokens[: tokens.index(3)] if 3 in tokens else [t for t in tokens if t]
        assert lite.translate_ids(source, beam_size=1) == expected

    @pytest.mark.parametrize("beam_size,length_penalty", [(1, 0.0), (3, 0.0), (4, 0.6)])
    def test_beam_search_equals_seqtk_beam_search(self, translation_pair, beam_size, length_penalty):
        model, lite = translation_pair
        for source in ([5, 9, 14, 1, 7], [30, 2, 2, 8]):
            tokens, _, _ = beam_search(model, tf.constant([source]), 2, 3, 9, beam_size, length_penalty)
            tokens = np.asarray(tokens)[0].tolist()
            expected = tokens[: tokens.index(3)] if 3 in tokens else [t for t in tokens if t]
            assert lite.translate_ids(source, beam_size, length_penalty) == expected


class FolderTest:
    def test_a_folder_that_is_not_an_export(self, tmp_path):
        with pytest.raises(FileNotFoundError, match="not a seqtk TFLite export"):
            LiteRTModel.from_directory(str(tmp_path))
