"""What one server accepts: request sizes, batch sizes and waits, all set from `seqtk serve`'s flags."""

import dataclasses


@dataclasses.dataclass(frozen=True)
class ServeLimits:
    """The caps a server puts on requests and the way it batches them.

    Args:
        max_body_bytes: the largest request body read; a larger one is refused with 413.
        max_text_chars: the longest text (prompt, sentence) in a request.
        max_instances: the most instances one request may send.
        max_tokens: the most tokens one generation may ask for.
        max_beam_size: the widest beam a translation may ask for.
        max_batch: the most instances run as one batch (generation: the most streams run together).
        max_wait_ms: how long the first request of a batch waits for others to join it.
        request_timeout_s: how long a request may wait and run before it is answered with 503.
        max_queue: the most requests waiting per model; more are answered with 503 at once.

    Example:
    >>> limits = ServeLimits(max_batch=32, max_wait_ms=10)
    """

    max_body_bytes: int = 1_000_000
    max_text_chars: int = 10_000
    max_instances: int = 64
    max_tokens: int = 1_000
    max_beam_size: int = 16
    max_batch: int = 64
    max_wait_ms: float = 5.0
    request_timeout_s: float = 60.0
    max_queue: int = 1_024

    def __post_init__(self):
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0 or (
                    value == 0 and field.name != "max_wait_ms"):
                raise ValueError(f"ServeLimits.{field.name} must be a positive number; received {value!r}.")
