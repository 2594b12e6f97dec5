"""TensorFlow functions to one multi-signature TFLite file with builtin ops only, optionally quantized."""

import tensorflow as tf

from seqtk.export.constant_dedup import dedupe_constants
from seqtk.export.model_merge import merge_models
from seqtk.export.state_signatures import operator_names, rename_signature
from seqtk.export.tensor_names import strip_tensor_names
from seqtk.export.tied_embedding import share_tied_embeddings

QUANTIZATIONS = ("none", "float16", "dynamic", "int8")


def signature_function(key, function, input_signature):
    """`function` traced with `input_signature`, named so that the converter calls its signature `key`."""

    def named(*args):
        return function(*args)

    named.__name__ = key
    return tf.function(named, input_signature=input_signature, autograph=False).get_concrete_function()


def convert(concrete_functions, quantize="none", representative_dataset=None):
    """Converts concrete functions (one signature each) with builtin ops only.

    Args:
        concrete_functions: `{signature_key: concrete_function}`, from `signature_function`.
        quantize: `"none"`, `"float16"` (weights stored as float16), `"dynamic"` (int8 weights,
            float activations) or `"int8"` (int8 weights and activations, calibrated on
            `representative_dataset`).
        representative_dataset: callable yielding `(signature_key, {input_name: array})`; `"int8"` only.

    Raises:
        ValueError: for an unknown quantization, int8 without data, or a graph that would need Flex ops.
    """
    if quantize not in QUANTIZATIONS:
        raise ValueError(f"quantize must be one of {QUANTIZATIONS}; received {quantize!r}.")
    if quantize == "int8" and representative_dataset is None:
        raise ValueError(
            "int8 quantization calibrates activations on example inputs: give representative data "
            "(--representative-data <file>, one example per line)."
        )
    # A trackable object makes the converter go through a SavedModel, the path that keeps several
    # signatures; the functions hold their weights as constants, so an empty module will do.
    if quantize == "int8" and len(concrete_functions) > 1:
        # Calibration fails on a file whose signatures pass state tensors: calibrate each alone, then join.
        return merge_models(
            {
                key: convert({key: function}, quantize, _only(representative_dataset, key))
                for key, function in concrete_functions.items()
            }
        )
    # A trackable object makes the converter go through a SavedModel, the path that keeps several
    # signatures; the functions hold their weights as constants, so an empty module will do.
    converter = tf.lite.TFLiteConverter.from_concrete_functions(
        list(concrete_functions.values()), tf.Module()
    )
    # Builtins only: a file with Flex (select TF) ops does not run on the plain LiteRT runtime.
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    if quantize != "none":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if quantize == "float16":
        converter.target_spec.supported_types = [tf.float16]
    if quantize == "int8":
        converter.representative_dataset = _only(
            representative_dataset, next(iter(concrete_functions)), rename="serving_default"
        )
        converter.target_spec.supported_ops = [
            tf.lite.OpsSet.TFLITE_BUILTINS_INT8,
            tf.lite.OpsSet.TFLITE_BUILTINS,
        ]
    model_bytes = converter.convert()
    flex = sorted(name for name in operator_names(model_bytes) if name.startswith("Flex"))
    if flex:
        raise ValueError(
            f"The converted model needs Flex ops {flex}, which the builtin LiteRT runtime lacks."
        )
    if len(concrete_functions) == 1:
        # The converter calls a lone signature "serving_default" whatever its function's name.
        model_bytes = rename_signature(model_bytes, "serving_default", next(iter(concrete_functions)))
    return strip_tensor_names(share_tied_embeddings(dedupe_constants(model_bytes)))


def _only(representative_dataset, key, rename=None):
    """The samples of signature `key` (renamed, for a one-signature file the converter calls differently)."""

    def samples():
        found = False
        for sample_key, inputs in representative_dataset():
            if sample_key == key:
                found = True
                yield (rename or key), inputs
        if not found:
            raise ValueError(f"The representative data gave no inputs for signature {key!r}.")

    return samples
