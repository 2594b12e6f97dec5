"""A tokenizer trained (or loaded) as a config's tokenizer section says."""

from seqtk.tokenizers.char_tokenizer import CharTokenizer
from seqtk.tokenizers.sentencepiece_tokenizer import SentencePieceTokenizer
from seqtk.tokenizers.text_normalizer import TextNormalizer
from seqtk.tokenizers.word_tokenizer import WordTokenizer


def build_tokenizer(settings, named_texts):
    """Trains (or loads) the tokenizer `settings` (a `TokenizerConfig`) describes on the normalized texts.

    `named_texts` are `(source, text)` pairs. The tokenizer keeps the normalizer, so it cleans text the
    same way at inference.
    """
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
            tokenizer = SentencePieceTokenizer.train_from_texts(
                texts, vocabulary_size=settings.vocabulary_size, model_type=settings.model_type,
            )
    else:
        raise ValueError(f"tokenizer.kind must be char, word or sentencepiece; received {settings.kind!r}.")
    tokenizer.normalizer = normalizer
    return tokenizer
