"""The internal tensor names of a TFLite file dropped: debugging text no runtime reads."""

from tensorflow.lite.tools import flatbuffer_utils


def strip_tensor_names(model_bytes):
    """`model_bytes` with every tensor name emptied but those of the subgraphs' inputs and outputs.

    The converter names each tensor after the fused TensorFlow ops behind it ("unstack:12;split_3;..."),
    and an unrolled encoder has hundreds of them: 42 KB of a 1.7 MB int8 translator. Runtimes find
    tensors through signatures (input and output names, tensor indices), and those names are kept, as
    are the names of the subgraphs' inputs and outputs, which `get_input_details` reports.
    `flatbuffer_utils.strip_strings` would also drop the signatures, which the app needs.

    Example:
        >>> smaller = strip_tensor_names(converter.convert())  # doctest: +SKIP
    """
    model = flatbuffer_utils.convert_bytearray_to_object(bytearray(model_bytes))
    changed = False
    for subgraph in model.subgraphs:
        boundary = {int(i) for i in subgraph.inputs} | {int(i) for i in subgraph.outputs}
        for index, tensor in enumerate(subgraph.tensors):
            if index not in boundary and tensor.name:
                tensor.name = b""
                changed = True
    if not changed:
        return model_bytes
    return bytes(flatbuffer_utils.convert_object_to_bytearray(model))
