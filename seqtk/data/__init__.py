"""Readers for text sources and tf.data pipelines."""

# Names load on first use (lazy_loader), so importing one module of the package starts nothing else
# (no TensorFlow for a LiteRT folder).
import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "batch_stream": ["BatchStream"],
        "classification_dataset": ["classification_batches", "encode_examples", "label_names"],
        "labeled_text": ["LabeledExample", "read_labeled", "read_labeled_file", "split_examples"],
        "language_model_dataset": ["batchify", "encode_texts", "stream_batches", "window_batches"],
        "text_sources": ["read_corpus", "read_text_file", "read_texts", "resolve_sources"],
        "tfds_source": ["read_tfds_text"],
    },
)
