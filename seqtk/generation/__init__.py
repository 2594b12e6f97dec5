"""Sampling text from language models; greedy and beam search for translators."""

from seqtk.generation.beam_search import beam_search
from seqtk.generation.greedy_search import greedy_search
from seqtk.generation.sampler import GreedySampler, Sampler, TopKSampler, TopPSampler, get_sampler
from seqtk.generation.sentence_translator import SentenceTranslator
from seqtk.generation.start_state import prime_start_state, priming_window
from seqtk.generation.text_generator import TextGenerator, generate

__all__ = [
    "GreedySampler", "Sampler", "SentenceTranslator", "TextGenerator", "TopKSampler", "TopPSampler", "beam_search",
    "generate", "get_sampler", "greedy_search", "prime_start_state", "priming_window",
]
