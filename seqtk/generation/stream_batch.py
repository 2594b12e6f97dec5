"""Many generations advanced together, one token per step, with rows joining and leaving between steps."""

import numpy as np

from seqtk.generation.token_sampling import sample_token


class Stream:
    """One prompt's generation: its sampling settings and random generator, the tokens drawn so far and the
    text they add. A forward model's text grows at the end, so `push` returns each new piece as it is drawn;
    a backward model (`reverse`) writes what comes before the prompt, so its pieces come only with `text`.

    Args:
        prompt: the text to continue ("" starts a new line).
        tokenizer: the model's tokenizer.
        max_tokens: how many tokens to draw.
        filters: `(temperature, top_k, top_p)` of `sample_token` (`sampler_filters` gives them by name).
        seed: the seed of this stream's own random generator (None: a fresh one).
        reverse: the model reads right to left.

    Example:
    >>> stream = Stream("ROMEO:", tokenizer, max_tokens=20, filters=(0.0, 0, 1.0))
    """

    def __init__(self, prompt, tokenizer, max_tokens, filters, seed=None, reverse=False):
        if max_tokens < 1:
            raise ValueError(f"max_tokens must be at least 1; received {max_tokens}.")
        self.prompt, self.tokenizer, self.max_tokens, self.filters = prompt, tokenizer, int(max_tokens), filters
        self.reverse = reverse
        self.prompt_ids = list(tokenizer.encode(prompt)) if prompt else []
        if not self.prompt_ids:
            self.prompt_ids = [tokenizer.newline_id]
            self.prompt = ""
        self.rng = np.random.default_rng(seed)
        self.generated = []
        self.emitted = ""  # the part of the continuation already given out by `push`
        self.cancelled = False

    @property
    def model_prompt(self):
        """The prompt's ids in the order the model reads them."""
        return self.prompt_ids[::-1] if self.reverse else self.prompt_ids

    @property
    def done(self):
        return self.cancelled or len(self.generated) >= self.max_tokens

    def draw(self, logits):
        """Draws the next token from `logits`; returns it."""
        token = sample_token(logits, *self.filters, self.rng)
        self.generated.append(token)
        return token

    def continuation(self):
        """The text the drawn tokens add to the prompt."""
        if self.reverse:
            return self.tokenizer.decode(self.generated[::-1])
        # Subword tokenizers drop the space a piece starts with when it opens a decoded string, so the
        # continuation is what decoding the prompt with it adds to decoding the prompt alone.
        before = self.tokenizer.decode(self.prompt_ids)
        after = self.tokenizer.decode(self.prompt_ids + self.generated)
        return after[len(before):] if after.startswith(before) else self.tokenizer.decode(self.generated)

    def push(self):
        """The text added since the last `push` ("" while a piece is incomplete, and always for a backward
        model)."""
        if self.reverse:
            return ""
        text = self.continuation()
        if not text.startswith(self.emitted):
            return ""  # a multi-token piece (a partial UTF-8 byte sequence) is still being drawn
        piece, self.emitted = text[len(self.emitted):], text
        return piece

    def text(self):
        """The prompt with its continuation (the continuation before the prompt for a backward model)."""
        if self.reverse:
            return self.continuation() + self.prompt
        return self.prompt + self.continuation()


class StreamBatch:
    """Runs many `Stream`s as one batch: each `step` admits waiting streams (read in one prefill), draws one
    token for every running stream, and feeds those tokens to the model in one batched call. A stream that is
    done or cancelled leaves the batch at once, so its row is free for the next waiting one.

    Args:
        runner: has `prefill(prompt_ids) -> (logits, states)` and `step(tokens, states) -> (logits, states)`
            on batches, states a list of `(batch, dim)` arrays (`KerasStepRunner`, the LiteRT runtime's).
        max_batch: the most streams run together; more wait their turn.

    Example:
    >>> batch = StreamBatch(KerasStepRunner(model))
    >>> batch.add(Stream("ROMEO:", tokenizer, 50, (0.8, 40, 1.0), seed=1))
    >>> while batch.busy: pieces = batch.step()
    """

    def __init__(self, runner, max_batch=64):
        self.runner, self.max_batch = runner, max_batch
        self.waiting, self.running = [], []
        self.logits, self.states = None, None

    def add(self, stream):
        self.waiting.append(stream)
        return stream

    @property
    def busy(self):
        return bool(self.waiting or self.running)

    def _admit(self):
        self.waiting = [s for s in self.waiting if not s.cancelled]
        room = self.max_batch - len(self.running)
        if room <= 0 or not self.waiting:
            return
        joining, self.waiting = self.waiting[:room], self.waiting[room:]
        logits, states = self.runner.prefill([s.model_prompt for s in joining])
        if self.running:
            self.logits = np.concatenate([self.logits, logits])
            self.states = [np.concatenate([a, b]) for a, b in zip(self.states, states, strict=True)]
        else:
            self.logits, self.states = logits, states
        self.running += joining

    def step(self):
        """Advances every running stream by one token; returns `[(stream, new text), ...]` for those that
        drew one (the text may be "")."""
        self._drop([row for row, stream in enumerate(self.running) if not stream.cancelled])
        self._admit()
        if not self.running:
            return []
        tokens = np.array([stream.draw(self.logits[row]) for row, stream in enumerate(self.running)], np.int32)
        pieces = [(stream, stream.push()) for stream in self.running]
        keep = [row for row, stream in enumerate(self.running) if not stream.done]
        self._drop(keep)
        if keep:
            self.logits, self.states = self.runner.step(tokens[keep], self.states)
        return pieces

    def _drop(self, keep):
        """Keeps only the running rows `keep` (with their logits and states)."""
        if len(keep) == len(self.running):
            return
        self.running = [self.running[row] for row in keep]
        if keep:
            self.logits, self.states = self.logits[keep], [state[keep] for state in self.states]

    def run(self):
        """Steps until every stream is done."""
        while self.busy:
            self.step()
