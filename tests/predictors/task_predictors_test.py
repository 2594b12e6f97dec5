"""The classifier's, translator's and tagger's predictors on the shipped presets (Keras backend); the
LiteRT backend answers the same (tests/export/saved_models_export_test.py)."""

import pytest
from shipped_models import shipped_model

from seqtk.predictors import load

pytestmark = pytest.mark.large


class TaskPredictorsTest:
    def test_classify_gives_the_label_and_every_labels_probability(self):
        classifier = load(shipped_model("sst2_ulmfit_bidirectional"))
        result = classifier.classify("A gorgeous, witty, moving film.")
        assert result["label"] == "1" and set(result["probabilities"]) == {"0", "1"}
        assert sum(result["probabilities"].values()) == pytest.approx(1.0)
        labels = [r["label"] for r in classifier.classify(["A gorgeous film.", "Dull, lifeless and far too long."])]
        assert labels == ["1", "0"]

    def test_translate_greedy_and_with_a_beam(self):
        translator = load(shipped_model("tatoeba_fr_en"))
        assert translator.translate("Je suis fatigué.") == "I'm tired."
        assert len(translator.translate(["Il fait beau.", "Où est la gare ?"], beam_size=5)) == 2

    def test_tag_gives_tokens_and_tags_and_a_part_of_speech_model_no_entities(self):
        tagger = load(shipped_model("ud_ewt_upos"))
        result = tagger.tag("I saw her .")
        assert result == {"tokens": ["I", "saw", "her", "."], "tags": ["PRON", "VERB", "PRON", "PUNCT"]}
        assert [r["tokens"] for r in tagger.tag([["Hello"], "Good morning ."])] == [["Hello"], ["Good", "morning", "."]]
        with pytest.raises(ValueError, match="sentence 2: no tokens to tag"):
            tagger.tag(["fine", ""])

    def test_entity_spans_follow_the_output_scheme(self):
        from seqtk.predictors.tagger_predictor import TaggerPredictor

        class Runtime:
            @staticmethod
            def tag(token_lists, batch_size):
                return [("B-PER", "I-PER", "O", "B-LOC")]

        predictor = TaggerPredictor("model", "keras", Runtime())
        predictor.scheme = "BIO"
        assert predictor.tag("Angela Merkel visited Paris")["entities"] == [
            {"type": "PER", "start": 0, "end": 2, "text": "Angela Merkel"},
            {"type": "LOC", "start": 3, "end": 4, "text": "Paris"}]
