"""Token samplers: greedy, temperature, top-k and top-p (nucleus)."""

import tensorflow as tf

from seqtk.generation.logit_cutoff import kth_largest, nucleus_cutoff
from seqtk.generation.token_sampling import SAMPLERS


class Sampler:
    """Picks the next token from logits with stateless, seedable randomness.

    Every sampler maps `(logits, seed)` to ids, where `seed` is a shape-(2,)
    int tensor; the same seed always gives the same token, which is what
    makes `generate(..., seed=s)` reproducible inside a compiled loop.
    `pick(logits, uniform)` takes the random numbers instead, one per row:
    a loop draws those of all its steps at once. A new sampler changes
    `filter_logits` (as top-k and top-p do); both calls go through it.

    Args:
        temperature: logits are divided by it before sampling; lower is
            more conservative.

    Example:
    >>> sampler = get_sampler("top_p", p=0.9, temperature=0.8)
    >>> ids = sampler(logits, seed=tf.constant([1, 0]))
    """

    def __init__(self, temperature=1.0):
        if temperature <= 0:
            raise ValueError(
                f"temperature must be positive; received temperature={temperature!r}. Use the greedy sampler "
                "for deterministic output."
            )
        self.temperature = temperature

    def filter_logits(self, logits):
        return logits

    def __call__(self, logits, seed):
        return self.pick(logits, tf.random.stateless_uniform(tf.shape(logits)[:1], seed=seed))

    def pick(self, logits, uniform):
        """The tokens the numbers `uniform` (in [0, 1), one per row of `logits`) fall on."""
        return draw_at(self.filter_logits(tf.cast(logits, tf.float32) / self.temperature), uniform)


# The vocabulary is cut into blocks of this many tokens: a draw sums every block, then accumulates one.
DRAW_BLOCK = 128


def draw(logits, seed):
    """One token per row of `logits`, drawn from their softmax with the stateless random numbers of `seed`."""
    return draw_at(logits, tf.random.stateless_uniform(tf.shape(logits)[:1], seed=seed))


def draw_at(logits, uniform):
    """The token of each row of `logits` that the row's number in `uniform` (in [0, 1)) falls on in the
    cumulative sum of their softmax: a draw from it when the numbers are uniform.

    Not `tf.random.stateless_categorical`: inside XLA it draws a uniform number and two logarithms per token of
    the vocabulary, 1.2 ms for one row of 10k logits and 49 µs for 64 rows of 65. Nor a `tf.cumsum` of the
    row, which XLA's CPU code runs as a windowed sum (0.5 ms for 64 rows of 10k): the point is found among
    the sums of blocks of `DRAW_BLOCK` tokens, then inside its block, whose cumulative sum is a product with a
    triangle of ones. Alone: 11 µs for one row of 10k and 0.3 ms for 64 rows of 10k; inside a generation loop
    over 64 rows of 65 characters, 13-19 µs a step more than greedy's.
    """
    vocabulary = logits.shape[-1]
    width = min(vocabulary, DRAW_BLOCK)
    blocks = -(-vocabulary // width)
    probabilities = tf.exp(logits - tf.reduce_max(logits, axis=-1, keepdims=True))
    triangle = tf.linalg.band_part(tf.ones([width, width]), 0, -1)
    if blocks == 1:
        # A vocabulary of one block skips the blocks' sums: inside a compiled generation loop at batch 64 their
        # dozen small kernels cost 15-20 µs a step.
        cumulative = tf.matmul(probabilities, triangle)
        return _first_past(cumulative, uniform * cumulative[:, -1])
    probabilities = tf.reshape(tf.pad(probabilities, [[0, 0], [0, blocks * width - vocabulary]]), [-1, blocks, width])
    block_cumulative = tf.cumsum(tf.reduce_sum(probabilities, axis=-1), axis=-1)
    point = uniform * block_cumulative[:, -1]
    block = _first_past(block_cumulative, point)
    before = tf.gather(tf.pad(block_cumulative, [[0, 0], [1, 0]]), block, batch_dims=1)
    within = tf.matmul(tf.gather(probabilities, block, batch_dims=1), triangle)
    return block * width + _first_past(within, point - before)


def _first_past(cumulative, point):
    """Per row, the first position whose cumulative mass passes `point`: a position of no mass adds none, so it
    is never the one. Where rounding leaves the point at or past the row's total, the last position with mass
    stands in."""
    past = tf.reduce_sum(tf.cast(cumulative <= point[:, None], tf.int32), axis=-1)
    last_with_mass = tf.reduce_sum(tf.cast(cumulative < cumulative[:, -1:], tf.int32), axis=-1)
    return tf.minimum(past, last_with_mass)


class GreedySampler(Sampler):
    """Always the most likely token."""

    def __init__(self):
        super().__init__(temperature=1.0)

    def __call__(self, logits, seed):
        return self.pick(logits, None)

    def pick(self, logits, uniform):
        return tf.cast(tf.argmax(logits, axis=-1), tf.int32)


class TopKSampler(Sampler):
    """Samples among the `k` most likely tokens."""

    def __init__(self, k=40, temperature=1.0):
        super().__init__(temperature)
        if not isinstance(k, int) or k < 1:
            raise ValueError(f"k must be a positive integer; received k={k!r}.")
        self.k = k

    def filter_logits(self, logits):
        # Not tf.math.top_k: XLA sorts, 88 ms for 64 rows of 10k logits (seqtk.generation.logit_cutoff).
        threshold = kth_largest(logits, min(self.k, logits.shape[-1]))[:, None]
        return tf.where(logits < threshold, tf.fill(tf.shape(logits), -1e9), logits)


class TopPSampler(Sampler):
    """Samples from the smallest set of tokens whose probability reaches `p` (Holtzman et al. 2020)."""

    def __init__(self, p=0.9, temperature=1.0):
        super().__init__(temperature)
        if not 0 < p <= 1:
            raise ValueError(f"p must be in (0, 1]; received p={p!r}.")
        self.p = p

    def filter_logits(self, logits):
        if self.p == 1:
            return logits
        cutoff = nucleus_cutoff(logits, self.p)[:, None]  # no sort, as top-k
        return tf.where(logits < cutoff, tf.fill(tf.shape(logits), -1e9), logits)


def get_sampler(name="greedy", **kwargs):
    """A sampler by name: `greedy`, `temperature`, `top_k` (k=) or `top_p` (p=); all but greedy take temperature=."""
    if isinstance(name, Sampler):
        return name
    kwargs = {key: value for key, value in kwargs.items() if value is not None}
    if name == "greedy":
        return GreedySampler()
    if name == "temperature":
        return Sampler(**kwargs)
    if name == "top_k":
        return TopKSampler(**kwargs)
    if name == "top_p":
        return TopPSampler(**kwargs)
    raise ValueError(f"Unknown sampler {name!r}; choose one of {SAMPLERS}.")
