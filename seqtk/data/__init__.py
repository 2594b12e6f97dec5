"""Readers for text sources and tf.data pipelines."""

from seqtk.data.batch_stream import BatchStream
from seqtk.data.classification_dataset import classification_batches, encode_examples, label_names
from seqtk.data.labeled_text import LabeledExample, read_labeled, read_labeled_file, split_examples
from seqtk.data.language_model_dataset import batchify, encode_texts, stream_batches, window_batches
from seqtk.data.text_sources import read_corpus, read_text_file, read_texts, resolve_sources
from seqtk.data.tfds_source import read_tfds_text

__all__ = [
    "BatchStream",
    "LabeledExample",
    "classification_batches",
    "encode_examples",
    "label_names",
    "read_labeled",
    "read_labeled_file",
    "split_examples",
    "batchify",
    "encode_texts",
    "read_corpus",
    "read_text_file",
    "read_texts",
    "read_tfds_text",
    "resolve_sources",
    "stream_batches",
    "window_batches",
]
