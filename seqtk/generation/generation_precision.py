"""The precisions a language model's generation step runs its matrix products in, without TensorFlow: the
command line and the server check a choice before anything loads."""

PRECISIONS = ("float32", "bfloat16")


def check_precision(precision):
    """Refuses a generation precision other than `PRECISIONS`."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}; received precision={precision!r}.")
