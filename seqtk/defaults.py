"""Defaults that several layers share, each written once: the library functions, the `seqtk` command and the
configs take them from here, so a Python call, a command and an exported folder behave alike."""

BATCH_SIZE = 64  # texts, sentences or pairs that inference runs at once (classify, translate, tag, evaluate)
UNKNOWN_WARNING = 0.05  # a file with a larger share of symbols outside the vocabulary gets a warning

# Sampling from a language model (`seqtk generate`, `seqtk run`, `seqtk serve`, `seqtk.load`, `TextGenerator`).
MAX_NEW_TOKENS = 200
SAMPLER = "top_k"
TEMPERATURE = 1.0
TOP_K = 40
TOP_P = 0.9  # the nucleus of the top_p sampler
