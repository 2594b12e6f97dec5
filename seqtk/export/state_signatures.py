"""Rewrites a converted TFLite flatbuffer so each signature passes recurrent state explicitly."""

import dataclasses

import numpy as np
from tensorflow.lite.python import schema_py_generated as schema
from tensorflow.lite.tools import flatbuffer_utils

_NUMPY_TYPES = {np.dtype("int32"): schema.TensorType.INT32, np.dtype("float32"): schema.TensorType.FLOAT32}


@dataclasses.dataclass
class SignaturePlan:
    """What to change in one signature of a converted file.

    Attributes:
        outputs: state inputs to publish as outputs under the same name. The fused LSTM op updates its
            state tensors in place, so after a call they hold the final state.
        reset: state inputs to remove from the signature; a `FILL` op zeroes each one at the start of
            every call, so a call never sees the state that the previous one left behind.
        dynamic: input name -> axes to mark as dynamic (-1), for inputs traced at a fixed length
            (the fused LSTM needs static shapes while converting, not while running).
    """

    outputs: list = dataclasses.field(default_factory=list)
    reset: list = dataclasses.field(default_factory=list)
    dynamic: dict = dataclasses.field(default_factory=dict)


def rewrite_signatures(model_bytes, plans):
    """Applies `{signature_key: SignaturePlan}` to a converted model and returns the new bytes.

    Every fused LSTM op also loses the converter's cell clip of 10, which Keras' LSTM does not have.
    """
    model = flatbuffer_utils.convert_bytearray_to_object(bytearray(model_bytes))
    signatures = {s.signatureKey.decode(): s for s in model.signatureDefs}
    missing = sorted(set(plans) - set(signatures))
    if missing:
        raise ValueError(f"The converted model has no signature {missing}; it has {sorted(signatures)}.")
    for key, plan in plans.items():
        signature = signatures[key]
        subgraph = model.subgraphs[signature.subgraphIndex]
        inputs = {t.name.decode(): t.tensorIndex for t in signature.inputs}
        for name in list(plan.outputs) + list(plan.reset) + list(plan.dynamic):
            if name not in inputs:
                raise ValueError(f"Signature {key!r} has no input {name!r}; its inputs are {sorted(inputs)}.")
        published = {t.name.decode() for t in signature.outputs}
        for name in plan.outputs:
            if name in published:
                continue  # a state the graph computes (GRU, SimpleRNN) is already an output
            output = schema.TensorMapT()
            output.name = name.encode()
            output.tensorIndex = inputs[name]
            signature.outputs.append(output)
            subgraph.outputs = np.append(subgraph.outputs, inputs[name]).astype(np.int32)
        for name in plan.reset:
            _zero_at_start(model, subgraph, inputs[name], name)
        if plan.reset:
            removed = {inputs[name] for name in plan.reset}
            signature.inputs = [t for t in signature.inputs if t.tensorIndex not in removed]
            subgraph.inputs = np.array([i for i in subgraph.inputs if i not in removed], dtype=np.int32)
        for name, axes in plan.dynamic.items():
            tensor = subgraph.tensors[inputs[name]]
            shape = np.array(tensor.shape if tensor.shapeSignature is None else tensor.shapeSignature, np.int32)
            shape[list(axes)] = -1
            tensor.shapeSignature = shape
    for subgraph in model.subgraphs:
        for operator in subgraph.operators:
            if isinstance(operator.builtinOptions, schema.UnidirectionalSequenceLSTMOptionsT):
                operator.builtinOptions.cellClip = 0.0
    return bytes(flatbuffer_utils.convert_object_to_bytearray(model))


def rename_signature(model_bytes, old, new):
    """The model with signature `old` called `new`."""
    model = flatbuffer_utils.convert_bytearray_to_object(bytearray(model_bytes))
    for signature in model.signatureDefs:
        if signature.signatureKey.decode() == old:
            signature.signatureKey = new.encode()
    return bytes(flatbuffer_utils.convert_object_to_bytearray(model))


def _zero_at_start(model, subgraph, tensor_index, name):
    tensor = subgraph.tensors[tensor_index]
    if tensor.type != schema.TensorType.FLOAT32:
        raise ValueError(f"State {name!r} is {tensor.type}, not float32; only float states can be reset.")
    dims = _constant(model, subgraph, np.array(tensor.shape, np.int32), f"{name}/zero_shape")
    value = _constant(model, subgraph, np.array(0.0, np.float32), f"{name}/zero")
    operator = schema.OperatorT()
    operator.opcodeIndex = _opcode_index(model, schema.BuiltinOperator.FILL)
    operator.inputs = np.array([dims, value], np.int32)
    operator.outputs = np.array([tensor_index], np.int32)
    operator.builtinOptionsType = schema.BuiltinOptions.FillOptions
    operator.builtinOptions = schema.FillOptionsT()
    subgraph.operators.insert(0, operator)


def _constant(model, subgraph, array, name):
    buffer = schema.BufferT()
    buffer.data = np.frombuffer(array.tobytes(), np.uint8)
    model.buffers.append(buffer)
    tensor = schema.TensorT()
    tensor.shape = np.array(array.shape, np.int32)
    tensor.type = _NUMPY_TYPES[array.dtype]
    tensor.buffer = len(model.buffers) - 1
    tensor.name = name.encode()
    subgraph.tensors.append(tensor)
    return len(subgraph.tensors) - 1


def _opcode_index(model, builtin):
    for index, code in enumerate(model.operatorCodes):
        if max(code.builtinCode, code.deprecatedBuiltinCode) == builtin:
            return index
    code = schema.OperatorCodeT()
    code.builtinCode = builtin
    code.deprecatedBuiltinCode = min(builtin, schema.BuiltinOperator.PLACEHOLDER_FOR_GREATER_OP_CODES)
    code.version = 1
    model.operatorCodes.append(code)
    return len(model.operatorCodes) - 1


def operator_names(model_bytes):
    """The builtin op names used anywhere in a TFLite file, e.g. {'UNIDIRECTIONAL_SEQUENCE_LSTM', ...}."""
    model = flatbuffer_utils.convert_bytearray_to_object(bytearray(model_bytes))
    by_code = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
    names = set()
    for subgraph in model.subgraphs:
        for operator in subgraph.operators:
            code = model.operatorCodes[operator.opcodeIndex]
            builtin = max(code.builtinCode, code.deprecatedBuiltinCode)
            names.add(code.customCode.decode() if builtin == schema.BuiltinOperator.CUSTOM else by_code[builtin])
    return names
