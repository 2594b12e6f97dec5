"""A translator's report: sacrebleu's BLEU and chrF of its translations, the decoding settings, the speed."""

import pytest

from seqtk.data.parallel_text import ParallelExample
from seqtk.inference.translator_evaluation import evaluate_translator
from seqtk.metrics.translation import translation_scores


class _Echo:
    """A translator that returns its sources, recording how it was called."""

    def __init__(self):
        self.calls = []

    def encode_sources(self, sources, locations):
        return list(sources)

    def warm_up(self, sequences, beam_size, length_penalty, batch_size):
        self.calls.append(("warm_up", beam_size))

    def translate_ids(self, sequences, beam_size, length_penalty, batch_size):
        self.calls.append(("translate", beam_size))
        return sequences, None

    def decode(self, outputs):
        return list(outputs)


class EvaluateTranslatorTest:
    def test_the_report_scores_the_translations_against_the_targets(self):
        examples = [ParallelExample("the cat sat", "the cat sat", "valid.txt", 1),
                    ParallelExample("a dog ran", "a dog runs", "valid.txt", 2)]
        translator = _Echo()
        report, hypotheses = evaluate_translator(translator, examples, beam_size=4, length_penalty=0.6, batch_size=8)
        expected = translation_scores(["the cat sat", "a dog ran"], ["the cat sat", "a dog runs"])
        assert hypotheses == ["the cat sat", "a dog ran"]
        assert report["bleu"] == pytest.approx(expected["bleu"]) and report["chrf"] == pytest.approx(expected["chrf"])
        assert (report["beam_size"], report["length_penalty"], report["batch_size"]) == (4, 0.6, 8)
        assert report["sentences_per_second"] > 0 and translator.calls == [("warm_up", 4), ("translate", 4)]
        greedy, _ = evaluate_translator(_Echo(), examples, beam_size=1, length_penalty=0.6)
        assert greedy["length_penalty"] == 0.0  # greedy decoding has no length penalty to report
