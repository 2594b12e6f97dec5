"""A translator as `seqtk.load` gives it: `translate(texts, beam_size=...)` → translations."""

from seqtk.defaults import BATCH_SIZE
from seqtk.predictors.predictor import Predictor, register_predictor


@register_predictor("translator")
class TranslatorPredictor(Predictor):
    """`translate("Il fait beau.")` → `"It's nice out."`; greedy by default, beam search with `beam_size`, the
    length penalty the model was trained to use unless given.

    Examples:
        >>> translator = seqtk.load("saved_models/tatoeba_fr_en")
        >>> translator.translate(["Je suis fatigué.", "Il fait beau."], beam_size=5)
    """

    verb = "translate"

    @classmethod
    def from_keras(cls, directory, model, tokenizers, config):
        from seqtk.inference.translator_evaluation import sentence_translator

        predictor = cls(directory, "keras", sentence_translator(model, tokenizers, config.data), config)
        predictor.length_penalty = config.training.length_penalty
        predictor.input_tokenizer = predictor.runtime.source_tokenizer
        return predictor

    @classmethod
    def from_litert(cls, directory, model):
        predictor = cls(directory, "litert", model)
        predictor.length_penalty = float(model.metadata.get("length_penalty", 0.0))
        predictor.input_tokenizer = model.input_tokenizer
        return predictor

    def translate(self, texts, beam_size=1, length_penalty=None, batch_size=BATCH_SIZE, locations=None):
        """The translations of `texts`; `locations` (`"news.txt, line 4"`) name them in errors."""
        many, single = self._many(texts)
        length_penalty = self.length_penalty if length_penalty is None else length_penalty
        if self.backend == "keras":
            results = self.runtime.translate(many, beam_size, length_penalty, batch_size, locations)
        else:
            results = self.runtime.translate(many, beam_size, length_penalty)
        return self._one_or_all(list(results), single)

    def output_lines(self, texts, beam_size=1, length_penalty=None, batch_size=BATCH_SIZE, locations=None, **_):
        return self.translate(list(texts), beam_size, length_penalty, batch_size, locations)
