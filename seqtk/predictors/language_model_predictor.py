"""A language model as `seqtk.load` gives it: `generate(prompts, ...)` and `score(texts)`."""

import math

import numpy as np

from seqtk.defaults import BATCH_SIZE, MAX_NEW_TOKENS, SAMPLER, TEMPERATURE, TOP_K, TOP_P
from seqtk.generation.stream_batch import Stream, StreamBatch
from seqtk.generation.token_sampling import log_softmax, sampler_filters
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

    verb = "continue"
    reads_input = False  # prompts are the arguments; none: one empty prompt

    @classmethod
    def from_keras(cls, directory, model, tokenizer, config):
        from seqtk.generation.step_runner import KerasStepRunner

        predictor = cls(directory, "keras", model, config)
        predictor.tokenizer, predictor.reverse = tokenizer, bool(model.reverse)
        predictor.input_tokenizer = tokenizer
        predictor.step_runner = KerasStepRunner(model)
        predictor.precision = "float32"
        return predictor

    def use_precision(self, precision):
        """Runs generation's matrix products in `precision`: `"float32"` (the default) or `"bfloat16"`, which
        CPUs with AVX512-BF16 or AMX run in hardware (states, gates and logits stay float32; see
        `seqtk.generation.language_model_step`). Only a saved (Keras) model has the choice: an exported one
        runs the products its file was exported with (`seqtk export tflite --quantize`)."""
        if self.backend != "keras":
            raise ValueError(f"{self.directory}: an exported model runs in the precision it was exported with; "
                             "generate in bfloat16 from the saved model folder, or export it with --quantize.")
        from seqtk.generation.step_runner import KerasStepRunner

        self.step_runner = KerasStepRunner(self.runtime, precision=precision)
        self.precision = precision
        return self

    @classmethod
    def from_litert(cls, directory, model):
        predictor = cls(directory, "litert", model)
        predictor.tokenizer, predictor.reverse = model.tokenizer, bool(model.metadata.get("reverse"))
        predictor.input_tokenizer = model.tokenizer
        predictor.step_runner = model.step_runner()
        # The export's --quantize names its products: float16, dynamic (int8 weights) or int8.
        quantize = model.metadata.get("quantize", "none")
        predictor.precision = "float32" if quantize == "none" else quantize
        return predictor

    def new_stream(self, prompt="", max_tokens=MAX_NEW_TOKENS, sampler=SAMPLER, temperature=TEMPERATURE, top_k=TOP_K,
                   top_p=TOP_P, seed=None):
        """One prompt's generation, not yet started: what `StreamBatch(predictor.step_runner)` runs (a server
        runs many in one batch this way)."""
        if not isinstance(prompt, str):
            raise TypeError(f"Give a prompt as a string; received {type(prompt).__name__}.")
        return Stream(prompt, self.tokenizer, max_tokens, sampler_filters(sampler, temperature, top_k, top_p), seed,
                      reverse=self.reverse)

    def generate(self, prompts="", max_tokens=MAX_NEW_TOKENS, sampler=SAMPLER, temperature=TEMPERATURE, top_k=TOP_K,
                 top_p=TOP_P, seed=None, batch_size=BATCH_SIZE):
        """The prompt and its continuation (for a backward model, the text before it and the prompt). A list
        runs as batches of `batch_size`; prompt `i` draws with seed `seed + i`, so its text does not depend on
        the prompts beside it (but for float round-off in the batched products)."""
        many, single = self._many(prompts, "prompts")
        streams = [self.new_stream(prompt, max_tokens, sampler, temperature, top_k, top_p,
                                   None if seed is None else seed + i) for i, prompt in enumerate(many)]
        batch = StreamBatch(self.step_runner, max_batch=batch_size)
        # Prompts of like length share a prefill; the order of the results is the order given.
        for stream in sorted(streams, key=lambda s: len(s.prompt_ids)):
            batch.add(stream)
        batch.run()
        return self._one_or_all([stream.text() for stream in streams], single)

    def output_lines(self, texts, max_length=MAX_NEW_TOKENS, sampler=SAMPLER, temperature=TEMPERATURE, top_k=TOP_K,
                     top_p=TOP_P, seed=None, **_):
        return self.generate(list(texts), max_length, sampler, temperature, top_k, top_p, seed)

    def stream(self, prompt="", max_tokens=MAX_NEW_TOKENS, sampler=SAMPLER, temperature=TEMPERATURE, top_k=TOP_K,
               top_p=TOP_P, seed=None):
        """Yields the continuation of `prompt` piece by piece as its tokens are drawn; the pieces joined are
        `generate(prompt, ...)` without the prompt. A backward model writes right to left, so it cannot stream.

        Examples:
            >>> for piece in lm.stream("ROMEO:", max_tokens=100, sampler="top_p", seed=1):
            ...     print(piece, end="", flush=True)
        """
        if self.reverse:
            raise ValueError(f"{self.directory}: a backward language model writes the text before the prompt, "
                             "which cannot be streamed as it is read; call generate instead.")
        stream = self.new_stream(prompt, max_tokens, sampler, temperature, top_k, top_p, seed)
        batch = StreamBatch(self.step_runner, max_batch=1)
        batch.add(stream)
        while batch.busy:
            for _, piece in batch.step():
                if piece:
                    yield piece

    def score(self, texts, batch_size=BATCH_SIZE):
        """Each text's log-likelihood (natural log; each token given those before it, from the zero state), the
        number of tokens scored, and perplexity. A list runs in batches of texts of like length."""
        many, single = self._many(texts)
        id_lists = []
        for text in many:
            ids = list(self.tokenizer.encode(text))
            if len(ids) < 2:
                raise ValueError(f"{text!r}: a score needs at least two tokens (each is scored given those before it).")
            id_lists.append(ids[::-1] if self.reverse else ids)  # a backward model reads right to left
        totals = [0.0] * len(id_lists)
        order = sorted(range(len(id_lists)), key=lambda k: len(id_lists[k]))
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            for row, total in zip(rows, self._log_likelihoods([id_lists[k] for k in rows]), strict=True):
                totals[row] = total
        results = [{"log_likelihood": total, "tokens": len(ids) - 1, "perplexity": math.exp(-total / (len(ids) - 1))}
                   for total, ids in zip(totals, id_lists, strict=True)]
        return self._one_or_all(results, single)

    def _log_likelihoods(self, id_lists):
        if self.backend == "litert":
            return [self.runtime.log_likelihood(ids) for ids in id_lists]  # the export reads one row at a time
        # Right padding: a row's logits at its own positions do not depend on what follows them.
        inputs = np.zeros((len(id_lists), max(len(ids) for ids in id_lists) - 1), np.int32)
        for row, ids in enumerate(id_lists):
            inputs[row, : len(ids) - 1] = ids[:-1]
        log_probs = log_softmax(np.asarray(self.runtime(inputs, training=False), np.float64))
        return [float(sum(log_probs[row, i, ids[i + 1]] for i in range(len(ids) - 1)))
                for row, ids in enumerate(id_lists)]
