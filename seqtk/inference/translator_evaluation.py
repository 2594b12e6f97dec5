"""BLEU and chrF of a translator on sentence pairs."""

import time

from seqtk.defaults import BATCH_SIZE
from seqtk.generation.sentence_translator import SentenceTranslator
from seqtk.metrics.translation import translation_scores


def sentence_translator(model, tokenizers, data_config, jit_compile=True):
    """The `SentenceTranslator` of a model, its `TokenizerPair` and its config's length limits."""
    return SentenceTranslator(model, tokenizers.source, tokenizers.target,
                              max_source_length=data_config.max_source_length,
                              max_target_length=data_config.max_target_length, jit_compile=jit_compile)


def evaluate_translator(translator, examples, beam_size=1, length_penalty=0.0, batch_size=BATCH_SIZE):
    """`(report, hypotheses)`: corpus BLEU and chrF of the translations of `examples` against their targets.

    The report also holds the decoding speed (`sentences_per_second`, with every
    batch shape compiled beforehand so compilation is not counted) and the decoding settings.
    """
    sources = [e.source for e in examples]
    locations = [e.location for e in examples]
    # Encoded once, for the warm-up and the timed pass alike.
    sequences = translator.encode_sources(sources, locations)
    translator.warm_up(sequences, beam_size, length_penalty, batch_size)
    start = time.perf_counter()
    outputs, _ = translator.translate_ids(sequences, beam_size, length_penalty, batch_size)
    hypotheses = translator.decode(outputs)
    seconds = time.perf_counter() - start
    report = translation_scores(hypotheses, [e.target for e in examples])
    report.update({
        "beam_size": int(beam_size),
        "length_penalty": float(length_penalty) if beam_size > 1 else 0.0,
        "batch_size": int(batch_size),
        "seconds": seconds,
        "sentences_per_second": len(examples) / max(seconds, 1e-9),
    })
    return report, hypotheses
