"""Tiny models for export tests, with weights redrawn large enough that gates saturate and differ."""

import numpy as np

from seqtk.models import LanguageModel, Seq2SeqTranslator, TextClassifier

TEXT = (
    "First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n\n"
    "First Citizen:\nYou are all resolved rather to die than to famish?\n"
)


def randomized(model, scale=0.6, seed=0):
    """`model` with every weight drawn afresh, large enough that the recurrences are far from linear."""
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(0.0, scale, w.shape).astype("float32") for w in model.get_weights()])
    return model


def language_model(cell_type="lstm", num_layers=2, tie_weights=False, vocabulary_size=40, hidden_dim=16,
                   reverse=False):
    model = LanguageModel(
        vocabulary_size,
        embedding_dim=12,
        hidden_dim=hidden_dim,
        num_layers=num_layers,
        cell_type=cell_type,
        tie_weights=tie_weights,
        reverse=reverse,
    )
    model.build((None, None))
    return randomized(model)


def classifier(cell_type="lstm", bidirectional=True, pooling="concat", head_dim=8, vocabulary_size=40,
               reverse=False):
    model = TextClassifier(
        vocabulary_size,
        3,
        embedding_dim=12,
        hidden_dim=16,
        num_layers=2,
        cell_type=cell_type,
        bidirectional=bidirectional,
        pooling=pooling,
        head_dim=head_dim,
        reverse=reverse,
    )
    model.build((None, None))
    return randomized(model)


def translator(cell_type="lstm", bidirectional=False, context_feeding=True, vocabulary_size=40, **kwargs):
    model = Seq2SeqTranslator(
        vocabulary_size,
        vocabulary_size,
        embedding_dim=12,
        hidden_dim=16,
        num_layers=2,
        cell_type=cell_type,
        bidirectional=bidirectional,
        context_feeding=context_feeding,
        reverse_source=True,
        **kwargs,
    )
    model.build()
    return randomized(model, scale=0.4)


def converted(export, quantize="none", samples=None):
    """The export's signatures converted to one TFLite file (bytes), state plans applied."""
    from seqtk.export.state_signatures import rewrite_signatures
    from seqtk.export.tflite_conversion import convert, signature_function

    signatures = export.signatures()
    functions = {s.key: signature_function(s.key, s.function, s.input_signature) for s in signatures}
    dataset = None if samples is None else (lambda: iter(samples))
    return rewrite_signatures(convert(functions, quantize, dataset), {s.key: s.plan for s in signatures})


def runner(model_bytes, export=None):
    from seqtk.export.litert_model import LiteRTModel

    states = {} if export is None else dict(zip(export.state_names, export_state_dims(export), strict=True))
    return LiteRTModel(model_content=model_bytes, metadata={"states": states})


def export_state_dims(export):
    return (export.decoder if hasattr(export, "decoder") else export.graph).state_dims


def tagger(cell_type="lstm", crf=True, char_vocabulary_size=30, vocabulary_size=40, tags=None):
    from seqtk.layers.crf import scheme_constraints
    from seqtk.models import SequenceTagger

    tags = tags or ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
    model = SequenceTagger(vocabulary_size, len(tags), char_vocabulary_size=char_vocabulary_size, embedding_dim=12,
                           char_embedding_dim=6, char_hidden_dim=5, hidden_dim=16, num_layers=2, cell_type=cell_type,
                           crf=crf, allowed=scheme_constraints(tags, "BIO") if crf else None)
    return randomized(model, scale=0.5)


ENTITY_SENTENCES = [["Angela", "Merkel", "visited", "Paris", "."], ["Alan", "Turing", "met", "Ada", "in", "London", "."],
                    ["Oslo", "is", "cold", "."], ["Curie", "worked", "in", "Paris", "and", "Warsaw", "."]]


def saved_entity_tagger(folder, width=7):
    """A saved tagger folder (random weights, BIO tags with the scheme's constraints, written in IOB1) and its
    CoNLL-U data file: `(directory, data path)`."""
    from seqtk.models import save_model_directory
    from seqtk.tokenizers import WordCharTokenizer

    tokenizer = WordCharTokenizer.train(ENTITY_SENTENCES)
    model = tagger("lstm", vocabulary_size=tokenizer.vocabulary_size, char_vocabulary_size=tokenizer.char_vocabulary_size)
    data = folder / "dev.conllu"
    data.write_text("".join("".join(f"{i}\t{w}\t_\tX\t_\t_\t_\t_\t_\t_\n" for i, w in enumerate(s, start=1)) + "\n"
                            for s in ENTITY_SENTENCES * 5), encoding="utf-8")
    config = {"tags": ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"],
              "data": {"train": [str(data)], "validation": [str(data)], "format": "conllu", "tag_column": "upos",
                       "scheme": "BIO", "train_scheme": "same", "output_scheme": "IOB1", "max_word_length": width}}
    return save_model_directory(str(folder / "tagger"), model, tokenizer, {"task": "tagger", **config}), data
