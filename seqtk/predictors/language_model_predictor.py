"""A language model as `seqtk.load` gives it: `generate(prompts, ...)` and `score(texts)`."""

import math

import numpy as np

from seqtk.defaults import MAX_NEW_TOKENS, SAMPLER, TEMPERATURE, TOP_K, TOP_P
from seqtk.predictors.predictor import Predictor, register_predictor


@register_predictor("lm")
class LanguageModelPredictor(Predictor):
    """`generate("ROMEO:")` → the prompt and its continuation; `score("To be, or not")` → the text's
    log-likelihood (natural log, each token given those before it from the zero state), its tokens and
    perplexity. Sampling takes the flags of `seqtk generate` (`sampler`, `temperature`, `top_k`, `top_p`,
    `seed`); `sampler="greedy"` gives the same text on both backends.

    Examples:
        >>> lm = seqtk.load("saved_models/shakespeare_char_large")
        >>> lm.generate("ROMEO:", max_tokens=40, sampler="greedy")
        >>> lm.score("To be, or not to be")["perplexity"]
    """

    @classmethod
    def from_keras(cls, directory, model, tokenizer, config):
        predictor = cls(directory, "keras", model, config)
        predictor.tokenizer, predictor.reverse = tokenizer, bool(model.reverse)
        predictor._generators = {}  # one per sampler setting: each keeps its compiled loops
        return predictor

    @classmethod
    def from_litert(cls, directory, model):
        predictor = cls(directory, "litert", model)
        predictor.tokenizer, predictor.reverse = model.tokenizer, bool(model.metadata.get("reverse"))
        return predictor

    def generate(self, prompts="", max_tokens=MAX_NEW_TOKENS, sampler=SAMPLER, temperature=TEMPERATURE, top_k=TOP_K,
                 top_p=TOP_P, seed=None):
        many, single = self._many(prompts, "prompts")
        if self.backend == "keras":
            from seqtk.generation.text_generator import TextGenerator

            options = {"greedy": {}, "temperature": {"temperature": temperature},
                       "top_k": {"temperature": temperature, "k": top_k},
                       "top_p": {"temperature": temperature, "p": top_p}}[sampler]
            key = (sampler, *sorted(options.items()))
            if key not in self._generators:
                self._generators[key] = TextGenerator(self.runtime, self.tokenizer, sampler=sampler, **options)
            generator = self._generators[key]
            results = [generator.generate(prompt, max_length=max_tokens, seed=None if seed is None else seed + i)
                       for i, prompt in enumerate(many)]
        else:
            from seqtk.export.litert_model import sampler_filters

            filters = sampler_filters(sampler, temperature, top_k, top_p)
            results = [prompt + self.runtime.generate(prompt, max_tokens, *filters,
                                                      seed=None if seed is None else seed + i)
                       for i, prompt in enumerate(many)]
        return self._one_or_all(results, single)

    def score(self, texts):
        many, single = self._many(texts)
        results = []
        for text in many:
            ids = list(self.tokenizer.encode(text))
            if len(ids) < 2:
                raise ValueError(f"{text!r}: a score needs at least two tokens (each is scored given those before it).")
            if self.reverse:
                ids = ids[::-1]  # a backward model reads right to left
            total = self._log_likelihood(ids)
            tokens = len(ids) - 1
            results.append({"log_likelihood": total, "tokens": tokens, "perplexity": math.exp(-total / tokens)})
        return self._one_or_all(results, single)

    def _log_likelihood(self, ids):
        if self.backend == "litert":
            return self.runtime.log_likelihood(ids)
        logits = np.asarray(self.runtime(np.array([ids[:-1]], np.int32), training=False), np.float64)[0]
        shifted = logits - logits.max(axis=-1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
        return float(sum(log_probs[i, ids[i + 1]] for i in range(len(ids) - 1)))
