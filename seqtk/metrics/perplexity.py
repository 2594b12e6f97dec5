"""Perplexity and bits per character from a mean negative log-likelihood in nats."""

import math


def perplexity(mean_nll):
    """`exp(mean NLL)`: the perplexity of word and subword language models."""
    return math.exp(min(mean_nll, 700.0))


def bits_per_character(mean_nll):
    """Mean NLL converted from nats to bits: the metric of character language models."""
    return mean_nll / math.log(2.0)
