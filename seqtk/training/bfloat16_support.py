"""Whether this CPU computes bfloat16 products in hardware, and how a bfloat16 run on CPUs is compiled."""

import functools

# Intel AMX, AVX512-BF16 (Cooper Lake, Sapphire Rapids and later; AMD Zen 4 and later) and Arm's BF16
# (Neoverse V1/N2: Graviton 3 and later), as the CPU's feature flags name them.
BFLOAT16_FLAGS = ("amx_bf16", "avx512_bf16", "bf16")


@functools.cache
def cpu_bfloat16_units():
    """The bfloat16 features this CPU reports (`BFLOAT16_FLAGS`, as py-cpuinfo reads them); [] for none."""
    import cpuinfo

    flags = set(cpuinfo.get_cpu_info().get("flags", []))
    return [flag for flag in BFLOAT16_FLAGS if flag in flags]


def cpu_bfloat16_messages(jit_compile, units=None):
    """What a bfloat16 run on CPUs says at its start (`jit_compile`: whether the config asked for XLA).

    The step runs without XLA (the runner turns it off): oneDNN computes bfloat16 matrix products with the CPU's
    bfloat16 units, where XLA's CPU code converts them to float32 and back (a language model's output product:
    717 GFLOP/s outside XLA, 368 inside, on AVX512-BF16). The loss still compiles with XLA on its own
    (`TokenCrossEntropy`). Without bfloat16 units every product is emulated, slower than float32: the messages
    say so.
    """
    units = cpu_bfloat16_units() if units is None else units
    if units:
        messages = [f"bfloat16 on this CPU: {', '.join(units)} compute bfloat16 products in hardware."]
    else:
        messages = [("training.mixed_precision=bfloat16, but this CPU has no bfloat16 units (AMX, AVX512-BF16 or "
                     "Arm BF16): every bfloat16 product is emulated and the run will be slower than in float32. "
                     "Set training.mixed_precision=none here, or train on a CPU, GPU or TPU with bfloat16.")]
    if jit_compile:
        messages.append("XLA (training.jit_compile) is off for bfloat16 on CPUs: oneDNN runs the bfloat16 "
                        "matrix products on the bfloat16 units, XLA's CPU code does not; the loss still "
                        "compiles with XLA.")
    return messages
