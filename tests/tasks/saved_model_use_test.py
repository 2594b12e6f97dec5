"""What the use verbs call on saved models: each loads the folder, reports unknown input and answers."""

import os

import pytest
from shipped_models import shipped_model

from seqtk.errors import DataError
from seqtk.tasks import classify, sample_texts, tag_texts, translate

LEGACY = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "shakespeare_char_legacy")

pytestmark = pytest.mark.large


class SavedModelUseTest:
    def test_samples_start_with_the_prompt_and_a_seed_repeats_them(self, capsys):
        first = sample_texts(LEGACY, "ROMEO:", num_samples=2, max_length=30, seed=4)
        assert len(first) == 2 and first[0] != first[1]  # sample i uses seed + i
        assert sample_texts(LEGACY, "ROMEO:", num_samples=1, max_length=30, seed=4) == first[:1]
        sample_texts(LEGACY, "ROMEO° said", max_length=5, seed=0)
        assert "Prompt" in capsys.readouterr().err  # the degree sign is outside the vocabulary

    def test_the_presets_classify_tag_and_translate(self):
        labels, probabilities = classify([shipped_model("sst2_ulmfit_bidirectional")],
                                         ["A gorgeous, witty, moving film.", "Dull, lifeless and far too long."])
        assert labels == ["0", "1"] and probabilities[0].argmax() == 1 and probabilities[1].argmax() == 0
        assert tag_texts(shipped_model("ud_ewt_upos"), [["I", "saw", "her", "."]]) == [("PRON", "VERB", "PRON", "PUNCT")]
        greedy, = translate(shipped_model("tatoeba_fr_en"), ["Je suis fatigué."])
        assert "tired" in greedy.lower()

    def test_an_empty_sentence_to_tag_is_named(self):
        with pytest.raises(DataError, match="line 2: no tokens to tag"):
            tag_texts(shipped_model("ud_ewt_upos"), [["Paris"], []], locations=["line 1", "line 2"])
