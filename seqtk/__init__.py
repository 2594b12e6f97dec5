"""seqtk: recurrent sequence models on text, from training to phones.

The public names below load on first use, so `import seqtk` (and the `seqtk` command's `--help`) does
not start TensorFlow.
"""

import importlib

__version__ = "0.1.0"

_PUBLIC = {
    "ActivationRegularization": "seqtk.layers",
    "EmbeddingDropout": "seqtk.layers",
    "LockedDropout": "seqtk.layers",
    "RecurrentLayer": "seqtk.layers",
    "RecurrentStack": "seqtk.layers",
    "TiedEmbedding": "seqtk.layers",
    "CRF": "seqtk.layers",
    "CharTokenizer": "seqtk.tokenizers",
    "SentencePieceTokenizer": "seqtk.tokenizers",
    "TextNormalizer": "seqtk.tokenizers",
    "TokenizerPair": "seqtk.tokenizers",
    "WordTokenizer": "seqtk.tokenizers",
    "load_tokenizer": "seqtk.tokenizers",
    "LanguageModel": "seqtk.models",
    "Seq2SeqTranslator": "seqtk.models",
    "SequenceTagger": "seqtk.models",
    "TextClassifier": "seqtk.models",
    "save_model_directory": "seqtk.models",
    "SentenceTranslator": "seqtk.generation",
    "TextGenerator": "seqtk.generation",
    "generate": "seqtk.generation",
    "get_sampler": "seqtk.generation",
    "ClassifierEnsemble": "seqtk.inference",
    "load_config": "seqtk.tasks",
    "load_model_directory": "seqtk.tasks",
    "train": "seqtk.tasks",
    "evaluate": "seqtk.tasks",
    "get_task": "seqtk.tasks",
    "LiteRTModel": "seqtk.export",
    "load": "seqtk.predictors",
    "export_tflite": "seqtk.export",
}


def __getattr__(name):
    if name not in _PUBLIC:
        raise AttributeError(f"module 'seqtk' has no attribute {name!r}")
    value = getattr(importlib.import_module(_PUBLIC[name]), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(list(globals()) + list(_PUBLIC))


__all__ = sorted(_PUBLIC)
