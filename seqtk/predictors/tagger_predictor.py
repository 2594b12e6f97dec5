"""A sequence tagger as `seqtk.load` gives it: `tag(sentences)` → tokens, tags and entity spans."""

from seqtk.data.tag_schemes import spans
from seqtk.defaults import BATCH_SIZE
from seqtk.predictors.predictor import Predictor, register_predictor


@register_predictor("tagger")
class TaggerPredictor(Predictor):
    """`tag("I saw her .")` → `{"tokens": [...], "tags": [...]}`, plus `"entities"` (type, start, end, text;
    `end` exclusive) for a model of entity tags (BIO, BIOES, IOB1). A string is one sentence, split on
    whitespace; a list of sentences (strings or lists of tokens) gives a list of results.

    Examples:
        >>> tagger = seqtk.load("saved_models/ud_ewt_upos")
        >>> tagger.tag("I saw her .")["tags"]
        ['PRON', 'VERB', 'PRON', 'PUNCT']
    """

    @classmethod
    def from_keras(cls, directory, model, tokenizer, config):
        from seqtk.data.tag_schemes import output_scheme
        from seqtk.tasks.tagger import sentence_tagger

        predictor = cls(directory, "keras", sentence_tagger(model, tokenizer, config), config)
        predictor.scheme = output_scheme(config.data)
        return predictor

    @classmethod
    def from_litert(cls, directory, model):
        predictor = cls(directory, "litert", model)
        predictor.scheme = model.metadata.get("output_scheme") or model.metadata.get("scheme")
        return predictor

    @staticmethod
    def _sentences(sentences):
        """`(token lists, single)`: a string is one sentence; a list holds sentences, each a string or a list
        of tokens."""
        if isinstance(sentences, str):
            return [sentences.split()], True
        return [s.split() if isinstance(s, str) else list(s) for s in sentences], False

    def tag(self, sentences, batch_size=BATCH_SIZE):
        token_lists, single = self._sentences(sentences)
        if any(not tokens for tokens in token_lists):
            raise ValueError("A sentence to tag has no tokens; give one or more words.")
        tagged = (self.runtime.tag(token_lists, batch_size) if self.backend == "keras"
                  else self.runtime.tag(token_lists))
        results = []
        for tokens, tags in zip(token_lists, tagged, strict=True):
            result = {"tokens": list(tokens), "tags": list(tags)}
            if self.scheme:
                result["entities"] = [{"type": kind, "start": start, "end": end, "text": " ".join(tokens[start:end])}
                                      for kind, start, end in spans(list(tags), self.scheme)]
            results.append(result)
        return self._one_or_all(results, single)
