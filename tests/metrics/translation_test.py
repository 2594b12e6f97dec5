"""BLEU and chrF by sacrebleu, on detokenized text, with the signature that reproduces them."""

import pytest
import sacrebleu

from seqtk.metrics.translation import translation_scores


class TranslationScoresTest:
    def test_scores_equal_sacrebleus_own(self):
        hypotheses = ["The cat sat on a mat.", "It is raining today."]
        references = ["The cat sat on the mat.", "It rains today."]
        scores = translation_scores(hypotheses, references)
        assert scores["bleu"] == pytest.approx(sacrebleu.corpus_bleu(hypotheses, [references]).score)
        assert scores["chrf"] == pytest.approx(sacrebleu.corpus_chrf(hypotheses, [references]).score)
        assert scores["bleu_signature"].startswith("nrefs:1|") and scores["sentences"] == 2
        assert translation_scores(references, references)["bleu"] == pytest.approx(100.0)

    def test_unequal_or_empty_inputs_are_errors(self):
        with pytest.raises(ValueError, match="2 hypotheses but 1 references"):
            translation_scores(["a", "b"], ["a"])
        with pytest.raises(ValueError, match="No sentences to score"):
            translation_scores([], [])
