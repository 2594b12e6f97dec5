"""A tokenizer trained (or loaded) as a config's tokenizer section says."""

import warnings

from seqtk.errors import TokenizerError
from seqtk.tokenizers.char_tokenizer import CharTokenizer
from seqtk.tokenizers.sentencepiece_tokenizer import SentencePieceTokenizer, VocabularyReducedWarning
from seqtk.tokenizers.text_normalizer import TextNormalizer
from seqtk.tokenizers.word_tokenizer import WordTokenizer


def build_tokenizer(settings, named_texts, log=print):
    """Trains (or loads) the tokenizer `settings` (a `TokenizerConfig`) describes on the normalized texts.

    `named_texts` are `(source, text)` pairs. The tokenizer keeps the normalizer, so it cleans text the
    same way at inference. A word or SentencePiece vocabulary larger than the texts support is reduced to
    what they support, and `log` gets a warning that names the sources and the size used.
    """
    named_texts = list(named_texts)
    normalizer = TextNormalizer(settings.normalize)
    texts = (normalizer(text) for _, text in named_texts)
    if settings.kind == "char":
        tokenizer = CharTokenizer.train(texts)
    elif settings.kind == "word":
        tokenizer = WordTokenizer.train(
            texts, min_frequency=settings.min_frequency, max_size=settings.vocabulary_size,
            lowercase=settings.lowercase,
        )
    elif settings.kind == "sentencepiece":
        if settings.model_file:
            tokenizer = SentencePieceTokenizer.from_file(settings.model_file)
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", VocabularyReducedWarning)  # said below, with the real sources
                tokenizer = SentencePieceTokenizer.train_from_texts(
                    texts, vocabulary_size=settings.vocabulary_size, model_type=settings.model_type,
                )
    else:
        raise TokenizerError(f"tokenizer.kind must be char, word or sentencepiece; received {settings.kind!r}.")
    tokenizer.normalizer = normalizer
    if settings.kind != "char" and not settings.model_file and tokenizer.vocabulary_size < settings.vocabulary_size:
        sources = ", ".join(dict.fromkeys(str(name) for name, _ in named_texts))
        unit = "distinct words" + (f" seen at least {settings.min_frequency} times"
                                   if settings.min_frequency > 1 else "") if settings.kind == "word" else "pieces"
        log(f"Warning: {sources}: tokenizer.vocabulary_size {settings.vocabulary_size:,} is more than this corpus "
            f"supports ({unit}); the vocabulary has {tokenizer.vocabulary_size:,} entries. Set "
            f"tokenizer.vocabulary_size to at most {tokenizer.vocabulary_size:,} to silence this.")
    return tokenizer

