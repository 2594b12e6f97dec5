"""One signature of an exported file: its key, its function, its inputs and how to rewrite it."""

import dataclasses

from seqtk.export.state_signatures import SignaturePlan


@dataclasses.dataclass
class Signature:
    """A function to export as the TFLite signature `key`.

    Attributes:
        key: the signature's name in the file (`"step"`, `"classify"`, ...).
        function: takes tensors matching `input_signature` and returns a dict of named outputs.
        input_signature: named `tf.TensorSpec`s; the names become the signature's input names.
        plan: the `SignaturePlan` applied to the converted file (state outputs, resets, dynamic axes).
    """

    key: str
    function: object
    input_signature: list
    plan: SignaturePlan = dataclasses.field(default_factory=SignaturePlan)
