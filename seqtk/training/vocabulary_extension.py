"""Growing a saved model's vocabulary with what a fine-tuning corpus holds often enough."""

from seqtk.models.vocabulary_growth import grow_vocabulary
from seqtk.tokenizers.unknown_symbols import count_unknown, new_symbols


def extend_vocabulary(model, tokenizer, sides, min_count, log=print):
    """`(model, tokenizer, growth)` with the symbols of the texts that the vocabulary lacks and that occur
    at least `min_count` times added (a character tokenizer without an unknown symbol also gets one).

    `sides` is what `Task.texts_by_tokenizer` returns for the training data. The new embedding and output
    rows start as the mean of the existing ones (`grow_vocabulary`); every existing id and row is kept.
    `growth` describes what was added (empty when nothing was). The models and tokenizers passed in are
    not changed, so a base model's folder is never touched.

    Example:
    >>> model, tokenizer, growth = extend_vocabulary(model, tokenizer, [(tokenizer, texts)], min_count=5)
    """
    sides = list(sides)
    if len(sides) != 1 or sides[0][0] is not tokenizer:
        log("The vocabulary is not extended: this task reads its texts with more than one tokenizer.")
        return model, tokenizer, {}
    count = count_unknown(tokenizer, sides[0][1])
    symbols = new_symbols(count, min_count)
    if not symbols and (tokenizer.unknown_id is not None or not count.unknown):
        log(f"Vocabulary: the new corpus has no {tokenizer.symbol_name} outside the vocabulary at least "
            f"{min_count} times; nothing to add.")
        return model, tokenizer, {}
    extended = tokenizer.extended(symbols)
    added = extended.vocabulary_size - tokenizer.vocabulary_size
    grown = grow_vocabulary(model, extended.vocabulary_size)
    shown = ", ".join(map(repr, symbols[:20])) + (", ..." if len(symbols) > 20 else "")
    log(f"Vocabulary extended from {tokenizer.vocabulary_size:,} to {extended.vocabulary_size:,} ({added:,} new rows, "
        f"the mean of the others): {tokenizer.symbol_name} the new corpus has at least {min_count} times"
        + (f": {shown}" if symbols else "") + (", and <unk> for the rarer ones" if tokenizer.unknown_id is None else "")
        + ".")
    growth = {"base": tokenizer.vocabulary_size, "extended": extended.vocabulary_size, "added": symbols,
              "unit": tokenizer.symbol_name, "min_count": min_count}
    return grown, extended, growth
