"""Defaults shared by the library and the command are written once (`seqtk.defaults`), so the two generation
commands and the Python calls agree."""

import inspect

import pytest

from seqtk import defaults
from seqtk.cli import build_parser
from seqtk.export.litert_model import LiteRTModel
from seqtk.generation.token_sampling import sampler_filters
from seqtk.generation.text_generator import TextGenerator
from seqtk.inference.sentence_tagging import SentenceTagger
from seqtk.predictors import ClassifierPredictor, LanguageModelPredictor, TaggerPredictor, TranslatorPredictor
from seqtk.tokenizers.unknown_symbols import DEFAULT_THRESHOLD
from seqtk.training.config import TrainingConfig


def _defaults(argv):
    parser = build_parser()
    return vars(parser.parse_args(argv))


class DefaultsTest:
    def test_generate_and_run_tflite_sample_alike_by_default(self):
        generate = _defaults(["generate", "--model", "m"])
        run = _defaults(["run", "exported"])
        keys = ("max_length", "sampler", "temperature", "top_k", "top_p", "seed")
        assert {k: generate[k] for k in keys} == {k: run[k] for k in keys} == {
            "max_length": defaults.MAX_NEW_TOKENS, "sampler": defaults.SAMPLER, "temperature": defaults.TEMPERATURE,
            "top_k": defaults.TOP_K, "top_p": defaults.TOP_P, "seed": None}

    def test_the_library_takes_the_same_defaults(self):
        assert inspect.signature(LanguageModelPredictor.generate).parameters["max_tokens"].default == defaults.MAX_NEW_TOKENS
        assert inspect.signature(TextGenerator.generate).parameters["max_length"].default == defaults.MAX_NEW_TOKENS
        assert inspect.signature(LiteRTModel.generate).parameters["max_tokens"].default == defaults.MAX_NEW_TOKENS
        for function in (ClassifierPredictor.classify, TranslatorPredictor.translate, TaggerPredictor.tag,
                         LanguageModelPredictor.generate, SentenceTagger.tag):
            assert inspect.signature(function).parameters["batch_size"].default == defaults.BATCH_SIZE
        for parser_args in (["classify", "--model", "m"], ["translate", "--model", "m"], ["tag", "--model", "m"]):
            assert _defaults(parser_args)["batch_size"] == defaults.BATCH_SIZE
        assert TrainingConfig().unknown_warning == DEFAULT_THRESHOLD == defaults.UNKNOWN_WARNING

    @pytest.mark.parametrize("sampler,expected", [("greedy", (0.0, 0, 1.0)), ("temperature", (0.7, 0, 1.0)),
                                                  ("top_k", (0.7, 5, 1.0)), ("top_p", (0.7, 0, 0.8))])
    def test_a_samplers_name_gives_the_litert_filters_that_draw_as_it_does(self, sampler, expected):
        assert sampler_filters(sampler, temperature=0.7, top_k=5, top_p=0.8) == expected

    def test_an_unknown_sampler_is_named(self):
        with pytest.raises(ValueError, match="Unknown sampler 'nucleus'; choose one of greedy, temperature"):
            sampler_filters("nucleus")
