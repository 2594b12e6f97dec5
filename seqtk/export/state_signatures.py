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
            output.tensorIndex = _final_state_tensor(model, subgraph, inputs[name], name)
            signature.outputs.append(output)
            subgraph.outputs = np.append(subgraph.outputs, output.tensorIndex).astype(np.int32)
        for name in plan.reset:
            _zero_at_start(model, subgraph, inputs[name], name)
        if plan.reset:
            removed = {inputs[name] for name in plan.reset}
            signature.inputs = [t for t in signature.inputs if t.tensorIndex not in removed]
            subgraph.inputs = np.array([i for i in subgraph.inputs if i not in removed], dtype=np.int32)
        for name, axes in plan.dynamic.items():
            tensor = subgraph.tensors[inputs[name]]
            shape = np.array(
                tensor.shape if tensor.shapeSignature is None else tensor.shapeSignature, np.int32
            )
            shape[list(axes)] = -1
            tensor.shapeSignature = shape
    for subgraph in model.subgraphs:
        for operator in subgraph.operators:
            if isinstance(operator.builtinOptions, schema.UnidirectionalSequenceLSTMOptionsT):
                operator.builtinOptions.cellClip = 0.0
    return bytes(flatbuffer_utils.convert_object_to_bytearray(model))


def _final_state_tensor(model, subgraph, input_index, name):
    """The tensor that holds a state input's final value once the call ends.

    In a float file the fused op's state operand is the input tensor itself. In an int8 file the
    input is quantized first and the op updates the quantized (int16) copy, so a DEQUANTIZE of that copy
    is appended after every other op.
    """
    if subgraph.tensors[input_index].isVariable:
        return input_index
    for operator in subgraph.operators:
        if (
            _builtin(model, operator) == schema.BuiltinOperator.QUANTIZE
            and operator.inputs[0] == input_index
            and subgraph.tensors[operator.outputs[0]].isVariable
        ):
            quantized = operator.outputs[0]
            break
    else:
        raise ValueError(f"State {name!r} feeds no fused LSTM state tensor; publish only fused LSTM states.")
    if subgraph.tensors[quantized].type != schema.TensorType.INT16:
        # Only the int16 cell state is read back this way (DEQUANTIZE caches an int8 persistent tensor as
        # if it were a weight); the output state h is the last step of the op's output sequence.
        raise ValueError(
            f"State {name!r} is quantized to type {subgraph.tensors[quantized].type}; only int16 "
            "cell states can be published."
        )
    final = _append_tensor(subgraph, subgraph.tensors[input_index], f"{name}/final")
    _append_operator(model, subgraph, schema.BuiltinOperator.DEQUANTIZE, quantized, final)
    return final


def _append_tensor(subgraph, like, name):
    tensor = schema.TensorT()
    tensor.shape = np.array(like.shape, np.int32)
    tensor.type = like.type
    tensor.quantization = like.quantization
    tensor.buffer = 0
    tensor.name = name.encode()
    subgraph.tensors.append(tensor)
    return len(subgraph.tensors) - 1


def _append_operator(model, subgraph, builtin, input_index, output_index):
    operator = schema.OperatorT()
    operator.opcodeIndex = _opcode_index(model, builtin)
    operator.inputs = np.array([input_index], np.int32)
    operator.outputs = np.array([output_index], np.int32)
    subgraph.operators.append(operator)


def _builtin(model, operator):
    code = model.operatorCodes[operator.opcodeIndex]
    return max(code.builtinCode, code.deprecatedBuiltinCode)


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
            builtin = _builtin(model, operator)
            custom = model.operatorCodes[operator.opcodeIndex].customCode
            names.add(custom.decode() if builtin == schema.BuiltinOperator.CUSTOM else by_code[builtin])
    return names
