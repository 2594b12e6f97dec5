"""Tied input/output embeddings of a quantized TFLite file stored once instead of twice."""

import numpy as np
from tensorflow.lite.python import schema_py_generated as schema
from tensorflow.lite.tools import flatbuffer_utils

from seqtk.export.constant_dedup import remove_tensors

_GATHER = schema.BuiltinOperator.GATHER
_FULLY_CONNECTED = schema.BuiltinOperator.FULLY_CONNECTED
# The versions that run int8 (DEQUANTIZE, QUANTIZE, GATHER) and float (MUL) tensors.
_VERSIONS = {
    schema.BuiltinOperator.GATHER: 2,
    schema.BuiltinOperator.DEQUANTIZE: 2,
    schema.BuiltinOperator.MUL: 1,
    schema.BuiltinOperator.QUANTIZE: 2,
}


def share_tied_embeddings(model_bytes):
    """`model_bytes` with each embedding lookup reading the int8 matrix of the tied output layer.

    A model with tied weights uses one matrix twice: rows looked up for the input (GATHER) and the
    whole matrix as the output layer's weights (FULLY_CONNECTED). The int8 converter quantizes the two
    uses apart: per tensor, with a range calibrated on the rows seen, for the lookup; per output
    channel (one scale a row) for the layer. The file then carries the matrix twice, 384 KB of a
    2.1 MB translator with a 3,000 x 128 target embedding, and the lookup clips the rows that
    calibration never saw. Here the lookup is rewritten to gather from the layer's matrix and scale
    each row by its own scale (GATHER, GATHER of the scales, DEQUANTIZE, MUL, QUANTIZE into the
    original output), and the lookup's copy is dropped. A lookup is only rewritten when the two
    matrices agree to within their quantization steps, so an untied model is left as it was.

    Example:
        >>> smaller = share_tied_embeddings(converter.convert())  # doctest: +SKIP
    """
    model = flatbuffer_utils.convert_bytearray_to_object(bytearray(model_bytes))
    changed = False
    for subgraph_index, subgraph in enumerate(model.subgraphs):
        changed |= _rewrite_subgraph(model, subgraph_index, subgraph)
    if not changed:
        return model_bytes
    return bytes(flatbuffer_utils.convert_object_to_bytearray(model))


def _rewrite_subgraph(model, subgraph_index, subgraph):
    weights = [
        operator.inputs[1]
        for operator in subgraph.operators
        if _code(model, operator) == _FULLY_CONNECTED
        and _per_row_int8(model, subgraph.tensors[operator.inputs[1]])
    ]
    replaced = []
    for position in range(len(subgraph.operators) - 1, -1, -1):
        operator = subgraph.operators[position]
        if _code(model, operator) != _GATHER or not _gathers_rows(operator):
            continue
        table = subgraph.tensors[operator.inputs[0]]
        scale = None if table.quantization is None else table.quantization.scale
        per_tensor = scale is not None and len(scale) == 1
        if not _constant_int8(model, table) or not per_tensor:
            continue
        match = next((w for w in weights if _same_matrix(model, table, subgraph.tensors[w])), None)
        if match is None:
            continue
        subgraph.operators[position : position + 1] = _lookup_operators(model, subgraph, operator, match)
        replaced.append(int(operator.inputs[0]))
    if not replaced:
        return False
    used = {int(i) for operator in subgraph.operators for i in operator.inputs if i >= 0}
    unused = [index for index in set(replaced) if index not in used]
    buffers = {subgraph.tensors[index].buffer for index in unused}
    remove_tensors(model, subgraph_index, subgraph, unused)
    referenced = {tensor.buffer for graph in model.subgraphs for tensor in graph.tensors}
    for buffer in buffers - referenced:
        # Left in place, empty: removing it would renumber every tensor's buffer for a few bytes.
        model.buffers[buffer].data = None
    return True


def _lookup_operators(model, subgraph, gather, weight_index):
    """GATHER rows of the int8 weight, GATHER their scales, DEQUANTIZE, MUL, QUANTIZE into the old output."""
    weight = subgraph.tensors[weight_index]
    output_index = int(gather.outputs[0])
    output = subgraph.tensors[output_index]
    scales = np.asarray(weight.quantization.scale, np.float32).reshape(-1, 1)
    row_shape = list(output.shape)
    scale_shape = row_shape[:-1] + [1]
    signature = None if output.shapeSignature is None else list(output.shapeSignature)
    scale_signature = None if signature is None else signature[:-1] + [1]

    scales_index = _add_tensor(model, subgraph, "tied_row_scales", scales.shape, schema.TensorType.FLOAT32,
                               data=scales.tobytes())
    rows_int8 = _add_tensor(model, subgraph, "tied_rows_int8", row_shape, schema.TensorType.INT8, signature,
                            scale=1.0)
    rows = _add_tensor(model, subgraph, "tied_rows", row_shape, schema.TensorType.FLOAT32, signature)
    row_scales = _add_tensor(model, subgraph, "tied_rows_scale", scale_shape, schema.TensorType.FLOAT32,
                             scale_signature)
    float_output = output_index
    tail = []
    if output.type != schema.TensorType.FLOAT32:
        float_output = _add_tensor(model, subgraph, "tied_rows_scaled", row_shape, schema.TensorType.FLOAT32,
                                   signature)
        tail = [_operator(model, schema.BuiltinOperator.QUANTIZE, [float_output], [output_index])]
    indices = int(gather.inputs[1])
    gather_options = (gather.builtinOptionsType, gather.builtinOptions)
    mul_options = (schema.BuiltinOptions.MulOptions, schema.MulOptionsT())
    return [
        _operator(model, _GATHER, [weight_index, indices], [rows_int8], gather_options),
        _operator(model, _GATHER, [scales_index, indices], [row_scales], gather_options),
        _operator(model, schema.BuiltinOperator.DEQUANTIZE, [rows_int8], [rows]),
        _operator(model, schema.BuiltinOperator.MUL, [rows, row_scales], [float_output], mul_options),
        *tail,
    ]


def _operator(model, builtin, inputs, outputs, options=None):
    """A new operator; `options` is `(builtinOptionsType, builtinOptions)` for ops that take them."""
    operator = schema.OperatorT()
    operator.opcodeIndex = _opcode_index(model, builtin)
    operator.inputs = inputs
    operator.outputs = outputs
    if options is not None:
        operator.builtinOptionsType, operator.builtinOptions = options
    return operator


def _opcode_index(model, builtin):
    for index, code in enumerate(model.operatorCodes):
        if max(code.builtinCode, code.deprecatedBuiltinCode) == builtin:
            code.version = max(code.version, _VERSIONS[builtin])
            return index
    code = schema.OperatorCodeT()
    code.builtinCode = builtin
    code.deprecatedBuiltinCode = min(builtin, schema.BuiltinOperator.PLACEHOLDER_FOR_GREATER_OP_CODES)
    code.version = _VERSIONS[builtin]
    model.operatorCodes.append(code)
    return len(model.operatorCodes) - 1


def _add_tensor(model, subgraph, name, shape, tensor_type, signature=None, data=None, scale=None):
    tensor = schema.TensorT()
    tensor.name = name.encode()
    tensor.shape = np.asarray(shape, np.int32)
    if signature is not None:
        tensor.shapeSignature = np.asarray(signature, np.int32)
    tensor.type = tensor_type
    tensor.buffer = 0  # the empty sentinel, for tensors computed at run time
    if data is not None:
        buffer = schema.BufferT()
        buffer.data = np.frombuffer(data, np.uint8)
        model.buffers.append(buffer)
        tensor.buffer = len(model.buffers) - 1
    if scale is not None:
        tensor.quantization = schema.QuantizationParametersT()
        tensor.quantization.scale = [scale]
        tensor.quantization.zeroPoint = [0]
    subgraph.tensors.append(tensor)
    return len(subgraph.tensors) - 1


def _code(model, operator):
    code = model.operatorCodes[operator.opcodeIndex]
    return max(code.builtinCode, code.deprecatedBuiltinCode)


def _gathers_rows(operator):
    options = operator.builtinOptions
    return options is None or (getattr(options, "axis", 0) == 0 and getattr(options, "batchDims", 0) == 0)


def _constant_int8(model, tensor):
    data = model.buffers[tensor.buffer].data if tensor.buffer else None
    return (
        tensor.type == schema.TensorType.INT8
        and data is not None
        and len(data) > 0
        and tensor.quantization is not None
        and tensor.shape is not None
        and len(tensor.shape) == 2
    )


def _per_row_int8(model, tensor):
    """An int8 constant matrix with one symmetric scale per row, as the converter writes dense weights."""
    if not _constant_int8(model, tensor):
        return False
    quantization = tensor.quantization
    return (
        quantization.scale is not None
        and len(quantization.scale) == tensor.shape[0]
        and quantization.quantizedDimension == 0
        and not np.any(np.asarray(quantization.zeroPoint))
    )


def _dequantized(model, tensor):
    values = np.frombuffer(bytes(model.buffers[tensor.buffer].data), np.int8).astype(np.float32)
    values = values.reshape([int(d) for d in tensor.shape])
    scale = np.asarray(tensor.quantization.scale, np.float32)
    zero_point = np.asarray(tensor.quantization.zeroPoint, np.float32)
    if scale.size > 1:
        scale, zero_point = scale.reshape(-1, 1), zero_point.reshape(-1, 1)
    return (values - zero_point) * scale


def _same_matrix(model, table, weight):
    """Whether per-tensor `table` and per-row `weight` quantize one matrix (`table` clipped to its range)."""
    if list(table.shape) != list(weight.shape):
        return False
    scale, zero_point = float(table.quantization.scale[0]), float(table.quantization.zeroPoint[0])
    low, high = (-128 - zero_point) * scale, (127 - zero_point) * scale
    expected = np.clip(_dequantized(model, weight), low, high)
    steps = (scale + np.asarray(weight.quantization.scale, np.float32).reshape(-1, 1)) / 2
    return bool(np.all(np.abs(_dequantized(model, table) - expected) <= steps * 1.001 + 1e-7))
