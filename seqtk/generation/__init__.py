"""Sampling text from language models."""

from seqtk.generation.sampler import GreedySampler, Sampler, TopKSampler, TopPSampler, get_sampler
from seqtk.generation.text_generator import TextGenerator, generate

__all__ = ["GreedySampler", "Sampler", "TextGenerator", "TopKSampler", "TopPSampler", "generate", "get_sampler"]
