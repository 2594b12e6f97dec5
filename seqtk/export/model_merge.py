"""Several single-signature TFLite files joined into one, sharing identical weight buffers."""

import hashlib

import numpy as np
from tensorflow.lite.tools import flatbuffer_utils


def merge_models(models):
    """One TFLite model holding every signature of `{key: model_bytes}` (each file has one signature).

    The converter's int8 calibration fails on a file with several signatures that pass state tensors,
    so each signature is converted alone and the files are joined here. Weights quantize identically in
    every file, so buffers with equal bytes are stored once and the merged file is no larger than one
    conversion of all signatures would be.
    """
    merged, buffer_index, opcode_index = None, {}, {}
    for key, model_bytes in models.items():
        model = flatbuffer_utils.convert_bytearray_to_object(bytearray(model_bytes))
        if len(model.signatureDefs) != 1:
            raise ValueError(
                f"merge_models takes files with one signature each; {key!r} has {len(model.signatureDefs)}."
            )
        if merged is None:
            merged = model
            merged.signatureDefs[0].signatureKey = key.encode()
            for index, buffer in enumerate(merged.buffers):
                buffer_index.setdefault(_digest(buffer), index)
            for index, code in enumerate(merged.operatorCodes):
                opcode_index.setdefault(_code_key(code), index)
            continue
        buffers = []
        for buffer in model.buffers:
            digest = _digest(buffer)
            if digest not in buffer_index:
                merged.buffers.append(buffer)
                buffer_index[digest] = len(merged.buffers) - 1
            buffers.append(buffer_index[digest])
        codes = []
        for code in model.operatorCodes:
            if _code_key(code) not in opcode_index:
                merged.operatorCodes.append(code)
                opcode_index[_code_key(code)] = len(merged.operatorCodes) - 1
            codes.append(opcode_index[_code_key(code)])
        subgraph = model.subgraphs[model.signatureDefs[0].subgraphIndex]
        for tensor in subgraph.tensors:
            tensor.buffer = buffers[tensor.buffer]
        for operator in subgraph.operators:
            operator.opcodeIndex = codes[operator.opcodeIndex]
        merged.subgraphs.append(subgraph)
        signature = model.signatureDefs[0]
        signature.signatureKey = key.encode()
        signature.subgraphIndex = len(merged.subgraphs) - 1
        merged.signatureDefs.append(signature)
    return bytes(flatbuffer_utils.convert_object_to_bytearray(merged))


def _digest(buffer):
    data = b"" if buffer.data is None else np.asarray(buffer.data, np.uint8).tobytes()
    # Every empty buffer (the placeholder of a non-constant tensor) maps to the merged file's buffer 0.
    return hashlib.sha256(data).hexdigest() if data else "empty"


def _code_key(code):
    return (code.builtinCode, code.deprecatedBuiltinCode, code.customCode, code.version)
