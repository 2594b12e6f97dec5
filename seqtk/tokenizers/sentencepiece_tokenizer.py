"""SentencePiece subword tokenizer, trained on the user's own files."""

import io
import os
import tempfile

from seqtk.tokenizers.tokenizer import Tokenizer

MODEL_FILE = "sentencepiece.model"
MODEL_TYPES = ("unigram", "bpe")


class SentencePieceTokenizer(Tokenizer):
    """Subword tokenizer backed by the `sentencepiece` library.

    Ids: 0 `<pad>`, 1 `<unk>`, 2 `<s>`, 3 `</s>`; each line of text is encoded
    on its own and followed by `</s>`, so a language model learns where lines
    end and `decode` restores the newlines.

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

    @classmethod
    def train(cls, files, vocabulary_size=8000, model_type="unigram", character_coverage=1.0,
              max_sentences=2_000_000):
        """Trains on text files (one sentence or line per row)."""
        import sentencepiece

        if model_type not in MODEL_TYPES:
            raise ValueError(f"model_type must be one of {MODEL_TYPES}; received {model_type!r}.")
        files = [files] if isinstance(files, str) else list(files)
        for path in files:
            if not os.path.exists(path):
                raise FileNotFoundError(f"{path}: no such file to train SentencePiece on.")
        stream = io.BytesIO()
        try:
            sentencepiece.SentencePieceTrainer.train(
                input=",".join(files), model_writer=stream, vocab_size=vocabulary_size,
                model_type=model_type, character_coverage=character_coverage,
                pad_id=0, unk_id=1, bos_id=2, eos_id=3, input_sentence_size=max_sentences,
                shuffle_input_sentence=True, minloglevel=2,
            )
        except RuntimeError as error:
            raise ValueError(
                f"SentencePiece could not train a {vocabulary_size}-piece {model_type} model on {files}: "
                f"{error}. Lower tokenizer.vocabulary_size or give more text."
            ) from None
        return cls(stream.getvalue())

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

    def _encode(self, text):
        ids = []
        lines = text.split("\n")
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
        return cls.from_file(os.path.join(directory, config["model_file"]))

