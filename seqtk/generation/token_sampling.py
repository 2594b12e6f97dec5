"""Drawing one token from one row of logits in numpy: what a step-by-step loop outside a compiled graph uses
(the LiteRT runtime, streams served to many clients)."""

import numpy as np

from seqtk.defaults import TEMPERATURE, TOP_K, TOP_P

SAMPLERS = ("greedy", "temperature", "top_k", "top_p")
NEVER = -1e9  # the logit of a token that must not be drawn


def log_softmax(logits, axis=-1):
    shifted = logits - np.max(logits, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def without_padding(logits, pad_id=0):
    """`logits` (a copy) with the padding id made impossible: padding is never a token to emit."""
    logits = np.array(logits, np.float32)
    logits[pad_id] = NEVER
    return logits


def sample_token(logits, temperature, top_k, top_p, rng):
    """A token drawn from `logits`: greedy when `temperature` is 0; else from the softmax at `temperature`,
    restricted to the `top_k` most likely (0: no limit) and to the smallest set holding `top_p` of the
    probability (1.0: no limit). `rng` is a `numpy.random.Generator`, so a seed gives the same tokens."""
    logits = without_padding(logits)
    if temperature == 0:
        return int(np.argmax(logits))
    logits = logits / temperature
    if top_k:
        cutoff = np.partition(logits, -top_k)[-top_k]
        logits = np.where(logits < cutoff, NEVER, logits)
    probabilities = np.exp(log_softmax(logits))
    if top_p < 1.0:
        order = np.argsort(-probabilities)
        keep = np.cumsum(probabilities[order]) - probabilities[order] < top_p
        mask = np.zeros_like(probabilities)
        mask[order[keep]] = 1.0
        probabilities = probabilities * mask / np.sum(probabilities * mask)
    return int(rng.choice(len(probabilities), p=probabilities))


def sampler_filters(sampler, temperature=TEMPERATURE, top_k=TOP_K, top_p=TOP_P):
    """`(temperature, top_k, top_p)` of `sample_token` that draw as the sampler called `sampler` (`greedy`,
    `temperature`, `top_k`, `top_p`, as `seqtk generate` names them) draws."""
    filters = {"greedy": (0.0, 0, 1.0), "temperature": (temperature, 0, 1.0), "top_k": (temperature, top_k, 1.0),
               "top_p": (temperature, 0, top_p)}
    if sampler not in filters:
        raise ValueError(f"Unknown sampler {sampler!r}; choose one of {', '.join(filters)}.")
    if sampler != "greedy" and not temperature > 0:
        raise ValueError(f"temperature must be positive; received {temperature!r}. Use the greedy sampler for "
                         "deterministic output.")
    if sampler == "top_k" and (not isinstance(top_k, int) or top_k < 1):
        raise ValueError(f"top_k must be a positive integer; received {top_k!r}.")
    if sampler == "top_p" and not 0 < top_p <= 1:
        raise ValueError(f"top_p must be in (0, 1]; received {top_p!r}.")
    return filters[sampler]
