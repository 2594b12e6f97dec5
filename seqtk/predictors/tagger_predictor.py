"""A sequence tagger as `seqtk.load` gives it: `tag(sentences)` → tokens, tags and entity spans."""

from seqtk.data.tag_schemes import spans
from seqtk.defaults import BATCH_SIZE
from seqtk.errors import DataError
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

    verb = "tag"

    @classmethod
    def from_keras(cls, directory, model, tokenizer, config):
        from seqtk.data.tag_schemes import output_scheme
        from seqtk.tasks.tagger import sentence_tagger

        predictor = cls(directory, "keras", sentence_tagger(model, tokenizer, config), config)
        predictor.scheme = output_scheme(config.data)
        predictor.input_tokenizer = tokenizer
        return predictor

    @classmethod
    def from_litert(cls, directory, model):
        predictor = cls(directory, "litert", model)
        predictor.scheme = model.metadata.get("output_scheme") or model.metadata.get("scheme")
        predictor.input_tokenizer = model.input_tokenizer
        return predictor

    @staticmethod
    def _sentences(sentences):
        """`(token lists, single)`: a string is one sentence; a list holds sentences, each a string or a list
        of tokens."""
        if isinstance(sentences, str):
            return [sentences.split()], True
        return [s.split() if isinstance(s, str) else list(s) for s in sentences], False

    def tag(self, sentences, batch_size=BATCH_SIZE, locations=None):
        """Tokens, tags (and entity spans) of each sentence; `locations` (`"news.txt, line 4"`) name them in
        errors."""
        token_lists, single = self._sentences(sentences)
        for number, tokens in enumerate(token_lists):
            if not tokens:
                where = locations[number] if locations else f"sentence {number + 1}"
                raise DataError(f"{where}: no tokens to tag; give one sentence per line, tokens separated by "
                                "spaces.")
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

    def output_lines(self, texts, batch_size=BATCH_SIZE, locations=None, **_):
        return [" ".join(f"{word}/{tag}" for word, tag in zip(result["tokens"], result["tags"], strict=True))
                for result in self.tag([text.split() for text in texts], batch_size, locations)]
