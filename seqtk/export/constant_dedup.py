"""Identical constant tensors (and empty buffers) of a TFLite file merged, so each is stored once."""

import numpy as np
from tensorflow.lite.tools import flatbuffer_utils


def dedupe_constants(model_bytes):
    """`model_bytes` with the duplicate constant tensors of each subgraph merged.

    An unrolled recurrence uses the same weight at every time step. The converter shares the weight's
    buffer between the steps but gives each step its own tensor, and in an int8 file each of those
    tensors carries the weight's per-channel scales and zero points (12 bytes a channel): a 40-step
    GRU encoder stored them 40 times, a fifth of the file. Tensors with the same buffer, type, shape and
    quantization are interchangeable, so operators are pointed at the first and the rest dropped.
    The converter also gives every activation tensor an empty buffer of its own (a table each, 10 KB
    of a small int8 translator); they all point at buffer 0, the schema's empty sentinel, instead.

    Example:
        >>> smaller = dedupe_constants(converter.convert())  # doctest: +SKIP
    """
    model = flatbuffer_utils.convert_bytearray_to_object(bytearray(model_bytes))
    changed = False
    for subgraph_index, subgraph in enumerate(model.subgraphs):
        mapping = _duplicate_map(model, subgraph)
        if mapping:
            for operator in subgraph.operators:
                operator.inputs = [mapping.get(int(i), int(i)) if i >= 0 else int(i) for i in operator.inputs]
            remove_tensors(model, subgraph_index, subgraph, mapping)
            changed = True
    changed |= _merge_empty_buffers(model)
    if not changed:
        return model_bytes
    return bytes(flatbuffer_utils.convert_object_to_bytearray(model))


def _merge_empty_buffers(model):
    """Points every tensor with an empty buffer at buffer 0 and drops the others; whether any was."""

    def empty(buffer):
        return (buffer.data is None or len(buffer.data) == 0) and not getattr(buffer, "offset", 0)

    if not model.buffers or not empty(model.buffers[0]):
        return False
    referenced = {metadata.buffer for metadata in model.metadata or []}
    kept = [i for i, buffer in enumerate(model.buffers) if i == 0 or i in referenced or not empty(buffer)]
    if len(kept) == len(model.buffers):
        return False
    renumber = {old: new for new, old in enumerate(kept)}
    for subgraph in model.subgraphs:
        for tensor in subgraph.tensors:
            tensor.buffer = renumber.get(tensor.buffer, 0)
    for metadata in model.metadata or []:
        metadata.buffer = renumber[metadata.buffer]
    model.buffers = [model.buffers[i] for i in kept]
    return True


def _duplicate_map(model, subgraph):
    """`{duplicate tensor index: kept tensor index}` for the constant tensors of `subgraph`."""
    kept, mapping = {}, {}
    boundary = set(subgraph.inputs) | set(subgraph.outputs)
    for index, tensor in enumerate(subgraph.tensors):
        buffer = model.buffers[tensor.buffer] if tensor.buffer else None
        if buffer is None or buffer.data is None or len(buffer.data) == 0:
            continue
        if tensor.isVariable or tensor.sparsity is not None or index in boundary:
            continue
        key = (tensor.buffer, tensor.type, _array_key(tensor.shape), _array_key(tensor.shapeSignature),
               _quantization_key(tensor.quantization))
        if key in kept:
            mapping[index] = kept[key]
        else:
            kept[key] = index
    return mapping


def remove_tensors(model, subgraph_index, subgraph, removed):
    """Drops the tensors `removed` (indices no operator uses) from `subgraph`, renumbering the rest."""
    removed = set(removed)
    survivors = [i for i in range(len(subgraph.tensors)) if i not in removed]
    renumber = {old: new for new, old in enumerate(survivors)}
    subgraph.tensors = [subgraph.tensors[i] for i in survivors]

    def moved(indices):
        return None if indices is None else [renumber[int(i)] if i >= 0 else int(i) for i in indices]

    for operator in subgraph.operators:
        operator.inputs = moved(operator.inputs)
        operator.outputs = moved(operator.outputs)
        operator.intermediates = moved(operator.intermediates)
    subgraph.inputs = moved(subgraph.inputs)
    subgraph.outputs = moved(subgraph.outputs)
    for signature in model.signatureDefs or []:
        if signature.subgraphIndex == subgraph_index:
            for entry in (signature.inputs or []) + (signature.outputs or []):
                entry.tensorIndex = renumber[entry.tensorIndex]


def _array_key(values):
    return None if values is None else tuple(int(v) for v in np.asarray(values).ravel())


def _quantization_key(quantization):
    if quantization is None:
        return None
    return (
        None if quantization.scale is None else np.asarray(quantization.scale, np.float32).tobytes(),
        None if quantization.zeroPoint is None else np.asarray(quantization.zeroPoint, np.int64).tobytes(),
        None if quantization.min is None else np.asarray(quantization.min, np.float32).tobytes(),
        None if quantization.max is None else np.asarray(quantization.max, np.float32).tobytes(),
        quantization.quantizedDimension,
        quantization.detailsType,
    )
