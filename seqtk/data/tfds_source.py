"""Text from tensorflow-datasets: `tfds:<name>[:<split>]`."""

from seqtk.errors import DataError


def parse_tfds_name(spec):
    """`"ptb_text_only:validation"` -> ("ptb_text_only", "validation"); the split defaults to train."""
    name, _, split = spec.partition(":")
    if not name:
        raise DataError(f"tfds:{spec}: give a dataset name, as in tfds:tiny_shakespeare:train.")
    return name, split or "train"


def load_tfds_split(spec, data_dir=None):
    """The split as a `tf.data.Dataset` of feature dicts (downloads and prepares it when needed)."""
    try:
        import tensorflow_datasets as tfds
    except ImportError:
        raise ImportError("tfds: sources need tensorflow-datasets: pip install tensorflow-datasets") from None
    name, split = parse_tfds_name(spec)
    return tfds.load(name, split=split, data_dir=data_dir, shuffle_files=False)


def read_tfds_text(spec, text_key="text", data_dir=None):
    """Joins the `text_key` feature of every example of the split, one example per line."""
    dataset = load_tfds_split(spec, data_dir=data_dir)
    if text_key not in dataset.element_spec:
        raise DataError(
            f"tfds:{spec} has no feature {text_key!r}; its features are {sorted(dataset.element_spec)}. "
            "Set data.tfds_text_key to one of them."
        )
    lines = []
    for example in dataset.as_numpy_iterator():
        value = example[text_key]
        lines.append(value.decode("utf-8") if isinstance(value, bytes) else str(value))
    return "\n".join(lines) + "\n"
