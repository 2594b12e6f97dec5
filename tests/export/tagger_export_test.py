import json
import os

import numpy as np
import pytest
from export_models import ENTITY_SENTENCES, converted, runner, saved_entity_tagger, tagger

from seqtk.data.tag_schemes import spans
from seqtk.export.litert_model import LiteRTModel
from seqtk.predictors.run_folder import run_folder
from seqtk.export.state_signatures import operator_names
from seqtk.export.tagger_export import TaggerExport
from seqtk.export.tflite_exporter import export_tflite

WIDTH = 7


def random_sentence(rng, length, vocabulary=40, chars=30):
    """Word ids without padding and each word's characters (1 to WIDTH of them), right-padded with 0."""
    token_ids = rng.integers(1, vocabulary, (1, length)).astype("int32")
    char_ids = np.zeros((1, length, WIDTH), "int32")
    for word in range(length):
        spelled = int(rng.integers(1, WIDTH + 1))
        char_ids[0, word, :spelled] = rng.integers(1, chars, spelled)
    return token_ids, char_ids


class TaggerExportTest:
    @pytest.mark.parametrize("cell_type,crf,chars", [("lstm", True, 30), ("gru", True, 30),
                                                      ("simple_rnn", False, 30), ("lstm", True, 0)])
    def test_tags_and_scores_match_keras_at_any_length(self, cell_type, crf, chars):
        model = tagger(cell_type, crf, char_vocabulary_size=chars)
        export = TaggerExport(model, WIDTH)
        model_bytes = converted(export)
        lite = runner(model_bytes)
        assert lite.interpreter.get_signature_list()["tag"]["inputs"] == ["char_ids", "token_ids"]
        operators = operator_names(model_bytes)
        assert "WHILE" in operators and not [op for op in operators if op.startswith("Flex")]  # Viterbi inside
        assert ("UNIDIRECTIONAL_SEQUENCE_LSTM" in operators) == (cell_type == "lstm")
        rng = np.random.default_rng(4)
        for length in (1, 2, 8, 23):
            token_ids, char_ids = random_sentence(rng, length)
            outputs = lite("tag", token_ids=token_ids, char_ids=char_ids)
            reference = np.asarray(model((token_ids, char_ids), training=False))
            np.testing.assert_allclose(outputs["scores"], reference, atol=1e-5)
            np.testing.assert_array_equal(outputs["tags"], np.asarray(model.decode((token_ids, char_ids))))
            if crf:  # the transitions BIO forbids are never decoded
                spans([["O", "B-PER", "I-PER", "B-LOC", "I-LOC"][i] for i in outputs["tags"][0]], "BIO", strict=True)

    def test_each_call_starts_from_zero_states(self):
        model = tagger("lstm")
        lite = runner(converted(TaggerExport(model, WIDTH)))
        rng = np.random.default_rng(1)
        first = random_sentence(rng, 5)
        before = lite("tag", token_ids=first[0], char_ids=first[1])["scores"]
        other = random_sentence(rng, 9)
        lite("tag", token_ids=other[0], char_ids=other[1])
        np.testing.assert_array_equal(lite("tag", token_ids=first[0], char_ids=first[1])["scores"], before)


SENTENCES = ENTITY_SENTENCES


@pytest.fixture
def tagger_directory(tmp_path):
    return saved_entity_tagger(tmp_path, WIDTH)


def test_export_folder_tags_as_keras_does_and_quantized_agreement_is_reported(tagger_directory, tmp_path):
    directory, data = tagger_directory
    report = export_tflite(directory, str(tmp_path / "float"), log=lambda *a: None)
    assert report["signatures"]["tag"]["max_abs_diff_vs_keras"] < 1e-4
    assert report["keras_agreement"]["tag_agreement"] == 1.0 and not report["flex_operators"]
    metadata = json.load(open(os.path.join(tmp_path, "float", "metadata.json")))
    assert metadata["task"] == "tagger" and metadata["tags"][1] == "B-PER" and metadata["max_word_length"] == WIDTH
    assert metadata["scheme"] == "BIO" and metadata["output_scheme"] == "IOB1"

    # The folder alone (LiteRT, its tokenizer, metadata) tags as the Keras model does, written in IOB1.
    from seqtk.tasks import load_model_directory
    from seqtk.tasks.tagger import sentence_tagger

    model, tokenizer, config = load_model_directory(directory, task="tagger")
    keras_tags = sentence_tagger(model, tokenizer, config).tag(SENTENCES)
    assert LiteRTModel.from_directory(str(tmp_path / "float")).tag(SENTENCES) == keras_tags
    lines = run_folder(str(tmp_path / "float"), [" ".join(s) for s in SENTENCES])
    assert [[w.rsplit("/", 1)[1] for w in line.split()] for line in lines] == [list(t) for t in keras_tags]

    dynamic = export_tflite(directory, str(tmp_path / "dynamic"), quantize="dynamic", log=lambda *a: None)
    assert dynamic["quantize"] == "dynamic" and dynamic["task_metric"]["tokens"] == 5 * 23
    # The reported agreement is the share of tokens the quantized folder tags as the float folder does.
    float_tags = LiteRTModel.from_directory(str(tmp_path / "float")).tag(SENTENCES * 5)
    dynamic_tags = LiteRTModel.from_directory(str(tmp_path / "dynamic")).tag(SENTENCES * 5)
    same = sum(a == b for x, y in zip(float_tags, dynamic_tags, strict=True) for a, b in zip(x, y, strict=True))
    assert dynamic["task_metric"]["tag_agreement"] == pytest.approx(same / (5 * 23), abs=1e-12)
    assert "tag_agreement" in dynamic["keras_agreement"]
    with pytest.raises(ValueError, match="--loop unrolled applies to GRU and SimpleRNN"):
        export_tflite(directory, str(tmp_path / "unrolled"), loop="unrolled", log=lambda *a: None)


def test_the_web_export_gives_scores_at_a_fixed_length_and_the_viterbi_search_outside_tags_as_keras(
        tagger_directory, tmp_path):
    from seqtk.export.tagger_export import WEB_SENTENCE_LENGTH
    from seqtk.export.web_target import web_problems
    from seqtk.tasks import load_model_directory
    from seqtk.tasks.tagger import sentence_tagger

    directory, _ = tagger_directory
    report = export_tflite(directory, str(tmp_path / "web"), target="web", log=lambda *a: None)
    assert report["signatures"]["tag"]["max_abs_diff_vs_keras"] < 1e-4 and report["keras_agreement"]["tag_agreement"] == 1
    assert web_problems((tmp_path / "web" / "model.tflite").read_bytes()) == []
    metadata = json.loads((tmp_path / "web" / "metadata.json").read_text())
    assert metadata["fixed_length"] == WEB_SENTENCE_LENGTH
    assert metadata["signatures"]["tag"]["inputs"]["char_ids"]["shape"] == [1, WEB_SENTENCE_LENGTH, WIDTH]
    assert list(metadata["signatures"]["tag"]["outputs"]) == ["scores"]
    # The scheme's forbidden moves are in the exported transitions: O -> I-PER can never be on a path.
    assert metadata["viterbi"]["transitions"][0][2] < -1e3 and metadata["viterbi"]["start"][2] < -1e3

    model, tokenizer, config = load_model_directory(directory, task="tagger")
    keras = sentence_tagger(model, tokenizer, config)
    web = LiteRTModel.from_directory(str(tmp_path / "web"))
    assert web.tag(SENTENCES) == keras.tag(SENTENCES)
    # A sentence longer than the fixed length is tagged in pieces of that length, each alone.
    long = [word for sentence in SENTENCES * 6 for word in sentence][: WEB_SENTENCE_LENGTH + 9]
    from seqtk.data.tag_schemes import convert

    pieces = keras.tag([long[:WEB_SENTENCE_LENGTH], long[WEB_SENTENCE_LENGTH:]])  # written in IOB1
    joined = convert(list(pieces[0]), "IOB1", "BIO") + convert(list(pieces[1]), "IOB1", "BIO")
    assert web.tag([long]) == [tuple(convert(joined, "BIO", "IOB1"))]
