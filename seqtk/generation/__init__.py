"""Sampling text from language models; greedy and beam search for translators."""

# Names load on first use (lazy_loader), so importing one module of the package starts nothing else
# (no TensorFlow for a LiteRT folder).
import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "beam_search": ["beam_search"],
        "greedy_search": ["greedy_search"],
        "sampler": ["GreedySampler", "Sampler", "TopKSampler", "TopPSampler", "get_sampler"],
        "sentence_translator": ["SentenceTranslator"],
        "start_state": ["prime_start_state", "priming_window"],
        "text_generator": ["TextGenerator", "generate"],
    },
)
