"""Every shipped preset exports to TFLite with Keras parity, and the folder alone does what the model does."""

import pytest
from shipped_models import shipped_model

from seqtk.data.parallel_text import read_parallel
from seqtk.data.text_sources import BUNDLED
from seqtk.export.litert_model import LiteRTModel
from seqtk.export.tflite_exporter import export_tflite
from seqtk.predictors import load


def _classifier_parity(keras, lite):
    from seqtk.data.labeled_text import read_labeled

    texts = [e.text for e in read_labeled("bundled:sst2_dev", text_column="sentence", label_column="label")][:60]
    expected, found = keras.classify(texts), lite.classify(texts)
    assert [r["label"] for r in found] == [r["label"] for r in expected]
    for a, b in zip(found, expected, strict=True):
        assert a["probabilities"] == pytest.approx(b["probabilities"], abs=1e-4)
    assert lite.classify(texts[0]) == found[0]  # one text, one result


def _translator_parity(keras, lite):
    sentences = ["Je suis fatigué.", "Il fait beau aujourd'hui.", "Où est la gare ?"]
    assert lite.translate(sentences) == keras.translate(sentences)
    assert lite.translate(sentences, beam_size=4) == keras.translate(sentences, beam_size=4)
    assert lite.translate("Je suis fatigué.") == "I'm tired."


def _tagger_parity(keras, lite):
    sentences = ["I saw her at the office .", ["Where", "is", "the", "station", "?"]]
    assert lite.tag(sentences) == keras.tag(sentences)
    assert lite.tag("I saw her .")["tags"] == ["PRON", "VERB", "PRON", "PUNCT"]


def _language_model_parity(keras, lite):
    assert lite.generate("ROMEO:", max_tokens=60, sampler="greedy") == keras.generate(
        "ROMEO:", max_tokens=60, sampler="greedy")
    texts = ["To be, or not to be, that is the question.", "First Citizen:\nBefore we proceed any further"]
    for a, b in zip(lite.score(texts), keras.score(texts), strict=True):
        assert a["tokens"] == b["tokens"] and a["log_likelihood"] == pytest.approx(b["log_likelihood"], rel=1e-4)


# The same calls on the saved folder (Keras) and on its export (LiteRT) give the same answers.
PARITY = {"classifier": _classifier_parity, "translator": _translator_parity, "tagger": _tagger_parity,
          "lm": _language_model_parity}


def verification_data(name, tmp_path):
    """Data the export is checked on, bundled with the package (the presets' configs name ../shared/data)."""
    if name == "ud_ewt_upos":
        return BUNDLED["ud_ewt_dev"]
    if name == "sst2_ulmfit_bidirectional":
        return BUNDLED["sst2_dev"]  # GLUE SST-2 dev, the file the config validated on
    if name == "tatoeba_fr_en":
        # The config reads English<TAB>French (source column 1), as the shared file has it.
        pairs = read_parallel("bundled:tatoeba_fr_en_valid_full")[:300]
        path = tmp_path / "pairs.tsv"
        path.write_text("".join(f"{p.target}\t{p.source}\n" for p in pairs), encoding="utf-8")
        return str(path)
    return None  # the model's config names bundled data, which verification reads


@pytest.mark.large
@pytest.mark.parametrize("name,fused", [("shakespeare_char_large", True), ("sst2_ulmfit_bidirectional", True),
                                        ("tatoeba_fr_en", False), ("ud_ewt_upos", True)])
def test_each_shipped_model_exports_with_keras_parity_on_its_own_data(name, fused, tmp_path):
    directory = shipped_model(name)
    report = export_tflite(directory, str(tmp_path / name), examples_path=verification_data(name, tmp_path),
                           log=lambda *a: None)
    assert report["flex_operators"] == [] and report["fused_lstm"] == fused
    assert max(row["max_abs_diff_vs_keras"] for row in report["signatures"].values()) < 1e-4
    lite = LiteRTModel.from_directory(str(tmp_path / name))
    keras_predictor, lite_predictor = load(directory), load(str(tmp_path / name))
    assert (keras_predictor.backend, lite_predictor.backend) == ("keras", "litert")
    assert keras_predictor.task == lite_predictor.task
    PARITY[keras_predictor.task](keras_predictor, lite_predictor)
    if name == "sst2_ulmfit_bidirectional":
        # The folder alone labels all 872 dev sentences as the Keras model does.
        from seqtk.data.labeled_text import read_labeled
        from seqtk.inference.classifier_evaluation import classify_texts
        from seqtk.tasks import load_model_directory

        model, tokenizer, config = load_model_directory(directory)
        texts = [e.text for e in read_labeled("bundled:sst2_dev", text_column="sentence", label_column="label")]
        keras_labels = [config.labels[i] for i in classify_texts(model, tokenizer, texts).argmax(axis=-1)]
        assert [label for label, _ in lite.classify(texts)] == keras_labels
        assert [
            label
            for label, _ in lite.classify(
                ["a gorgeous , witty , seductive movie .", "the plot is dull and the acting is worse ."]
            )
        ] == ["1", "0"]
    elif name == "tatoeba_fr_en":
        sentences = ["Je suis fatigué.", "Il fait beau aujourd'hui.", "Où est la gare ?"]
        assert lite.translate(sentences, beam_size=5, length_penalty=0.6) == load(directory).translate(
            sentences, beam_size=5, length_penalty=0.6)
        assert lite.translate(["Je suis fatigué."]) == ["I'm tired."]
    elif name == "ud_ewt_upos":
        assert report["keras_agreement"]["tag_agreement"] == 1.0
        assert lite.tag([["I", "saw", "her", "at", "the", "office", "."]]) == [
            ("PRON", "VERB", "PRON", "ADP", "DET", "NOUN", "PUNCT")]
    else:
        # Greedy text from the folder alone is the Keras model's, both from the model's start state.
        from seqtk.generation import TextGenerator
        from seqtk.tasks import load_model_directory

        model, tokenizer, _ = load_model_directory(directory, task="lm")
        keras_text = TextGenerator(model, tokenizer, sampler="greedy").generate("ROMEO:", max_length=60)
        assert "ROMEO:" + lite.generate("ROMEO:", max_tokens=60, temperature=0) == keras_text
