"""Corpus BLEU and chrF of detokenized translations, computed by sacrebleu."""


def translation_scores(hypotheses, references):
    """sacrebleu's corpus BLEU (13a tokenization) and chrF of `hypotheses` against one reference each.

    Both take plain, detokenized text, as sacrebleu requires for comparable
    scores; the BLEU signature is returned so a reported number can be reproduced.

    Returns:
        dict with `bleu`, `chrf` (0–100), `bleu_signature`, `chrf_signature` and `sentences`.

    Example:
    >>> translation_scores(["The cat sat on the mat."], ["The cat sat on the mat."])["bleu"]
    100.0
    """
    import sacrebleu

    hypotheses, references = list(hypotheses), list(references)
    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses but {len(references)} references; give one of each per "
                         "sentence.")
    if not hypotheses:
        raise ValueError("No sentences to score.")
    bleu = sacrebleu.metrics.BLEU()
    chrf = sacrebleu.metrics.CHRF()
    bleu_score = bleu.corpus_score(hypotheses, [references])
    chrf_score = chrf.corpus_score(hypotheses, [references])
    return {
        "bleu": float(bleu_score.score),
        "chrf": float(chrf_score.score),
        "bleu_signature": str(bleu.get_signature()),
        "chrf_signature": str(chrf.get_signature()),
        "sentences": len(hypotheses),
    }
