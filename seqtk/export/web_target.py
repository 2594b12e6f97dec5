"""What a TFLite file needs to run in LiteRT.js (the browser's WASM runtime), checked on the file itself.

LiteRT.js 2.5 refuses variable tensors at load ("Variable tensors not yet supported", which the fused LSTM's
state tensors are), has no input resize (an input of shape `[1, -1]` cannot be given `[1, 7]`), and gives
wrong numbers for WHILE loops. A web export therefore holds no fused LSTM, no WHILE, no variable tensor, and
only fixed input shapes.
"""

from tensorflow.lite.tools import flatbuffer_utils

from seqtk.export.state_signatures import operator_names

REFUSED_OPERATORS = ("UNIDIRECTIONAL_SEQUENCE_LSTM", "BIDIRECTIONAL_SEQUENCE_LSTM", "WHILE")


def web_problems(model_bytes):
    """What keeps the TFLite file `model_bytes` from running in LiteRT.js: a list of sentences, [] for none."""
    problems = []
    operators = operator_names(model_bytes)
    refused = sorted(name for name in operators if name in REFUSED_OPERATORS or name.startswith("Flex"))
    if refused:
        problems.append(f"operators LiteRT.js cannot run: {', '.join(refused)}")
    model = flatbuffer_utils.convert_bytearray_to_object(bytearray(model_bytes))
    variables = [tensor.name.decode() for subgraph in model.subgraphs for tensor in subgraph.tensors
                 if tensor.isVariable]
    if variables:
        problems.append(f"variable tensors: {', '.join(variables[:5])}")
    for signature in model.signatureDefs:
        subgraph = model.subgraphs[signature.subgraphIndex]
        for tensor_map in signature.inputs:
            tensor = subgraph.tensors[tensor_map.tensorIndex]
            shape = tensor.shapeSignature if tensor.shapeSignature is not None else tensor.shape
            if shape is not None and any(int(d) < 0 for d in shape):
                problems.append(f"input {tensor_map.name.decode()} of {signature.signatureKey.decode()} has a "
                                f"dynamic shape {[int(d) for d in shape]}")
    return problems


def check_web_file(model_bytes):
    problems = web_problems(model_bytes)
    if problems:
        raise ValueError("The web export would not run in LiteRT.js (" + "; ".join(problems) + "); nothing was "
                         "written. This is a bug in the web export of this architecture: please report it.")


