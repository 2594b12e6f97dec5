"""SentencePiece subword tokenizer, trained on the user's own files."""

import collections
import io
import os
import re
import tempfile
import warnings

from seqtk.errors import TokenizerError
from seqtk.tokenizers.tokenizer import Tokenizer, inside_name

_SURROGATES = re.compile("[\ud800-\udfff]")


def _without_surrogates(text):
    """`text` with each lone surrogate (half of a broken pair, or a byte kept by `errors="surrogateescape"`)
    as U+FFFD: SentencePiece takes UTF-8, which has no surrogates, and fails on them with an obscure error;
    U+FFFD is an unknown symbol like any other."""
    return _SURROGATES.sub("\ufffd", text) if _SURROGATES.search(text) else text

MODEL_FILE = "sentencepiece.model"


class VocabularyReducedWarning(UserWarning):
    """A tokenizer was given a larger vocabulary than its corpus supports and trained a smaller one."""

MODEL_TYPES = ("unigram", "bpe")


class SentencePieceTokenizer(Tokenizer):
    """Subword tokenizer backed by the `sentencepiece` library.

    Ids: 0 `<pad>`, 1 `<unk>`, 2 `<s>`, 3 `</s>`; each line of text is encoded
    on its own and followed by `</s>`, so a language model learns where lines
    end and `decode` restores the newlines.

    Characters the model has no piece for are `<unk>`; `extended` adds pieces for them (a fine-tuned
    model growing its vocabulary). When the corpus cannot support `vocabulary_size` pieces, `train`
    warns and trains the largest vocabulary it does support.

    Args:
        model_proto: the serialized SentencePiece model (bytes).

    Example:
    >>> tokenizer = SentencePieceTokenizer.train(["corpus.txt"], vocabulary_size=8000)
    >>> tokenizer.decode(tokenizer.encode("Hello world"))
    'Hello world'
    >>> SentencePieceTokenizer.from_file("existing.model")  # a model trained elsewhere
    """

    kind = "sentencepiece"

    def __init__(self, model_proto):
        import sentencepiece

        self.model_proto = model_proto
        self.processor = sentencepiece.SentencePieceProcessor(model_proto=model_proto)
        # Models trained elsewhere usually put <unk> at 0; seqtk masks id 0 as padding, so shift by one.
        self._offset = 0 if self.processor.pad_id() == 0 else 1
        eos = self.processor.eos_id()
        # Without </s>, one id past the pieces marks the end of a line.
        self._extra_eos = eos < 0
        self.eos_id = (self.processor.vocab_size() if self._extra_eos else eos) + self._offset
        self._known = {}  # character -> whether the model has a piece for it

    @property
    def unknown_id(self):
        unk = self.processor.unk_id()
        return None if unk < 0 else unk + self._offset

    def _unknown_symbols(self, text):
        counts = collections.Counter(_without_surrogates(text))
        counts.pop("\n", None)
        unknown = collections.Counter()
        unk = self.processor.unk_id()
        for character, count in counts.items():
            known = self._known.get(character)
            if known is None:
                known = self._known[character] = unk not in self.processor.encode(character)
            if not known:
                unknown[character] = count
        return sum(counts.values()), unknown

    def extended(self, symbols):
        """Adds each character of `symbols` the model has no piece for, as a piece of its own (scored
        below every existing piece, so it only ever replaces `<unk>`)."""
        from sentencepiece import sentencepiece_model_pb2

        if self._extra_eos:
            raise TokenizerError("This SentencePiece model has no </s> piece (seqtk adds one past its pieces), so "
                             "new pieces would move it; train a model with --extend-vocabulary off.")
        proto = sentencepiece_model_pb2.ModelProto()
        proto.ParseFromString(self.model_proto)
        lowest = min((p.score for p in proto.pieces), default=0.0)
        existing = {p.piece for p in proto.pieces}
        for character in dict.fromkeys("".join(symbols)):
            if character in existing or character.isspace() or self._unknown_symbols(character)[1][character] == 0:
                continue
            piece = proto.pieces.add()
            piece.piece, piece.score = character, lowest - 1.0
            piece.type = sentencepiece_model_pb2.ModelProto.SentencePiece.NORMAL
        tokenizer = SentencePieceTokenizer(proto.SerializeToString())
        tokenizer.normalizer = self.normalizer
        return tokenizer

    @classmethod
    def train(cls, files, vocabulary_size=8000, model_type="unigram", character_coverage=1.0,
              max_sentences=2_000_000):
        """Trains on text files (one sentence or line per row)."""
        import sentencepiece

        if model_type not in MODEL_TYPES:
            raise TokenizerError(f"model_type must be one of {MODEL_TYPES}; received {model_type!r}.")
        files = [files] if isinstance(files, str) else list(files)
        for path in files:
            if not os.path.exists(path):
                raise FileNotFoundError(f"{path}: no such file to train SentencePiece on.")

        def trained(hard_limit):
            stream = io.BytesIO()
            sentencepiece.SentencePieceTrainer.train(
                input=",".join(files), model_writer=stream, vocab_size=vocabulary_size,
                model_type=model_type, character_coverage=character_coverage,
                pad_id=0, unk_id=1, bos_id=2, eos_id=3, input_sentence_size=max_sentences,
                shuffle_input_sentence=True, minloglevel=2, hard_vocab_limit=hard_limit,
            )
            return cls(stream.getvalue())

        try:
            return trained(True)
        except RuntimeError as error:
            if not re.search(r"Vocabulary size too high", str(error)):
                raise TokenizerError(
                    f"SentencePiece could not train a {vocabulary_size}-piece {model_type} model on {files}: "
                    f"{error}. Lower tokenizer.vocabulary_size or give more text."
                ) from None
        # The corpus has too few distinct pieces: the soft limit trains the largest vocabulary it supports.
        tokenizer = trained(False)
        warnings.warn(
            f"{', '.join(files)}: a vocabulary of {vocabulary_size} pieces is more than this corpus supports; "
            f"using {tokenizer.vocabulary_size}. Set tokenizer.vocabulary_size to at most that to silence this.",
            VocabularyReducedWarning, stacklevel=2)
        return tokenizer

    @classmethod
    def train_from_texts(cls, texts, **kwargs):
        """Trains on in-memory strings by writing them to a temporary file first."""
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "corpus.txt")
            with open(path, "w", encoding="utf-8") as handle:
                for text in texts:
                    handle.write(text if text.endswith("\n") else text + "\n")
            return cls.train([path], **kwargs)

    @classmethod
    def from_file(cls, path):
        with open(path, "rb") as handle:
            return cls(handle.read())

    @property
    def vocabulary_size(self):
        return self.processor.vocab_size() + self._offset + int(self._extra_eos)

    @property
    def newline_id(self):
        return self.eos_id

    @property
    def id_offset(self):
        """What is added to the SentencePiece model's own ids (1 for a model trained elsewhere, with <unk> at
        0: seqtk keeps 0 for padding)."""
        return self._offset

    def _encode(self, text):
        ids = []
        lines = _without_surrogates(text).split("\n")
        for number, line in enumerate(lines):
            ids.extend(i + self._offset for i in self.processor.encode(line))
            if number < len(lines) - 1:
                ids.append(self.eos_id)
        return ids

    def decode(self, ids):
        lines, current = [], []
        for i in ids:
            if i == self.eos_id:
                lines.append(current)
                current = []
            elif i >= self._offset and i - self._offset < self.processor.vocab_size() and i != 0:
                current.append(i - self._offset)
        lines.append(current)
        return "\n".join(self.processor.decode(line) for line in lines)

    def _config(self, directory):
        with open(os.path.join(directory, MODEL_FILE), "wb") as handle:
            handle.write(self.model_proto)
        return {"model_file": MODEL_FILE}

    @classmethod
    def _from_config(cls, config, directory):
        return cls.from_file(os.path.join(directory, inside_name(config["model_file"], "model_file")))

