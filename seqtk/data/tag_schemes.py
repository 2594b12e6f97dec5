"""Entity tag schemes (IOB1, BIO, BIOES): reading spans out of tags, checking them, converting between schemes."""

import dataclasses

from seqtk.errors import DataError

SCHEMES = ("IOB1", "BIO", "BIOES")


def _split(tag):
    """`(prefix, type)`: `("O", None)` for `O`; a tag without a prefix (a POS tag) is `(None, tag)`."""
    if tag == "O":
        return "O", None
    prefix, dash, kind = tag.partition("-")
    if dash and prefix in ("B", "I", "E", "S"):
        return prefix, kind
    return None, tag


def _scheme(scheme):
    upper = str(scheme).upper()
    if upper not in SCHEMES:
        raise DataError(f"A tag scheme is one of {', '.join(SCHEMES)}; received {scheme!r}.")
    return upper


def spans(tags, scheme, strict=False, where=""):
    """The entities of `tags` as `(type, start, end)` spans (`end` exclusive).

    With `strict`, a tag the scheme does not allow where it stands (BIO's `I-PER` after `O`, BIOES's `B-PER`
    not closed by `E-PER`, IOB1's `B-PER` not after a `PER` token) is an error naming `where` and the token;
    otherwise it is read as conlleval reads it: an `I-`, `E-` or misplaced `B-` opens an entity.

    Example:
    >>> spans(["B-PER", "I-PER", "O", "B-LOC"], "BIO")
    [('PER', 0, 2), ('LOC', 3, 4)]
    """
    scheme = _scheme(scheme)
    found, current = [], None  # current: [type, start]

    def refuse(index, tag, why):
        raise DataError(f"{where + ': ' if where else ''}token {index + 1}: {tag!r} {why} under {scheme}. Fix the "
                        "tag, or read the file with the scheme it is written in (data.scheme).")

    def close(index):
        nonlocal current
        if current is not None:
            found.append((current[0], current[1], index))
            current = None

    for index, tag in enumerate(tags):
        prefix, kind = _split(tag)
        if prefix is None:
            raise DataError(f"{where + ': ' if where else ''}token {index + 1}: {tag!r} is no entity tag (O, or "
                            "B-/I-/E-/S- and a type); a part-of-speech column has no entity scheme.")
        if prefix == "O":
            if strict and scheme == "BIOES" and current is not None:
                refuse(index, tag, f"comes inside an unclosed {current[0]} entity")
            close(index)
            continue
        continues = current is not None and current[0] == kind
        if scheme == "IOB1":
            if prefix == "B" and strict and not continues:
                refuse(index, tag, "opens an entity that does not follow one of its type")
            if prefix == "B" or not continues:
                close(index)
                current = [kind, index]
        elif scheme == "BIO":
            if prefix in ("E", "S"):
                refuse(index, tag, "has a prefix BIO does not use")
            if prefix == "I" and not continues:
                if strict:
                    refuse(index, tag, "continues no entity of its type")
                close(index)
                current = [kind, index]
            elif prefix == "B":
                close(index)
                current = [kind, index]
        else:  # BIOES
            if strict and prefix in ("I", "E") and not continues:
                refuse(index, tag, "continues no entity of its type")
            if strict and prefix in ("B", "S") and current is not None:
                refuse(index, tag, f"comes inside an unclosed {current[0]} entity")
            if prefix in ("B", "S") or not continues:
                close(index)
                current = [kind, index]
            if prefix in ("E", "S"):
                close(index + 1)
    if strict and scheme == "BIOES" and current is not None:
        refuse(len(tags) - 1, tags[-1], f"leaves the {current[0]} entity unclosed")
    close(len(tags))
    return found


def tags_of(entities, length, scheme):
    """The tags of `length` tokens holding the `(type, start, end)` spans `entities`, written in `scheme`."""
    scheme = _scheme(scheme)
    tags = ["O"] * length
    previous = None  # (type, end) of the entity before
    for kind, start, end in sorted(entities, key=lambda span: span[1]):
        if scheme == "BIOES" and end - start == 1:
            tags[start] = f"S-{kind}"
        else:
            for index in range(start, end):
                tags[index] = f"I-{kind}"
            if scheme == "BIO" or scheme == "BIOES":
                tags[start] = f"B-{kind}"
            elif previous == (kind, start):  # IOB1: B- only between two adjacent entities of one type
                tags[start] = f"B-{kind}"
            if scheme == "BIOES":
                tags[end - 1] = f"E-{kind}"
        previous = (kind, end)
    return tags


def convert(tags, source, target, strict=False, where=""):
    """`tags` written in scheme `source` rewritten in `target` (the same entities).

    Example:
    >>> convert(["I-ORG", "I-ORG", "O", "I-PER", "B-PER"], "IOB1", "BIOES")
    ['B-ORG', 'E-ORG', 'O', 'S-PER', 'S-PER']
    """
    return tags_of(spans(tags, source, strict, where), len(tags), target)


def detect_scheme(tag_sequences):
    """The scheme `tag_sequences` are written in: `none` when any tag is not an entity tag (part of speech),
    `BIOES` when `E-`/`S-` occur, `IOB1` when an entity opens with `I-` (BIO forbids it), else `BIO`.

    Example:
    >>> detect_scheme([["I-ORG", "O", "I-PER", "I-PER"]])
    'IOB1'
    """
    opens_with_inside = ends_or_single = False
    for tags in tag_sequences:
        previous = None
        for tag in tags:
            prefix, kind = _split(tag)
            if prefix is None:
                return "none"
            if prefix in ("E", "S"):
                ends_or_single = True
            if prefix == "I" and previous != kind:
                opens_with_inside = True
            previous = kind if prefix != "O" else None
    return "BIOES" if ends_or_single else "IOB1" if opens_with_inside else "BIO"


def model_scheme(data):
    """The scheme a tagger's model has its tags in (`None` for plain tags); `data` is its config's data
    section (`scheme`, `train_scheme`, `output_scheme`)."""
    if data.scheme == "none":
        return None
    return data.scheme if data.train_scheme == "same" else data.train_scheme


def output_scheme(data):
    """The scheme a tagger writes and is evaluated in (`None` for plain tags); `data` as `model_scheme`'s."""
    if data.scheme == "none":
        return None
    return data.scheme if data.output_scheme == "same" else data.output_scheme


def rewrite_schemes(sentences, source, target, strict, log=None):
    """`sentences` with their tags rewritten from scheme `source` into `target` (the same entities).

    Under `strict`, a tag its scheme forbids where it stands is an error naming the file and line; else it is
    read as conlleval reads it and the sentences holding one are counted in `log`.
    """
    result, invalid = [], []
    for sentence in sentences:
        try:
            tags = convert(sentence.tags, source, target, strict=True, where=sentence.location)
        except DataError:
            if strict:
                raise
            invalid.append(sentence.location)
            tags = convert(sentence.tags, source, target, where=sentence.location)
        result.append(dataclasses.replace(sentence, tags=tuple(tags)))
    if invalid and log:
        shown = "; ".join(invalid[:3]) + ("; ..." if len(invalid) > 3 else "")
        log(f"{len(invalid)} sentence(s) have tags {source} does not allow where they stand ({shown}); read as "
            "conlleval reads them (a misplaced I- or B- opens an entity). Set data.strict_scheme=true to stop "
            "on them instead.")
    return result


def in_output_scheme(sentences, data):
    """Gold `sentences` (tags in the model's scheme) with their tags in the output scheme."""
    source, target = model_scheme(data), output_scheme(data)
    if source is None or source == target:
        return sentences
    return [dataclasses.replace(s, tags=tuple(convert(s.tags, source, target))) for s in sentences]
