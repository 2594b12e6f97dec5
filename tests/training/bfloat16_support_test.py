import os

from seqtk.training.bfloat16_support import BFLOAT16_FLAGS, cpu_bfloat16_messages, cpu_bfloat16_units


def test_the_units_are_the_bfloat16_flags_the_cpu_reports():
    units = cpu_bfloat16_units()
    assert set(units) <= set(BFLOAT16_FLAGS)
    if os.path.exists("/proc/cpuinfo"):
        flags = set()
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith(("flags", "Features")):
                    flags.update(line.split(":", 1)[1].split())
        assert units == [flag for flag in BFLOAT16_FLAGS if flag in flags]


def test_a_cpu_with_bfloat16_units_is_named_and_xla_turned_off_says_why():
    messages = cpu_bfloat16_messages(True, units=["avx512_bf16"])
    assert messages[0] == "bfloat16 on this CPU: avx512_bf16 compute bfloat16 products in hardware."
    assert "XLA (training.jit_compile) is off for bfloat16 on CPUs" in messages[1]
    assert cpu_bfloat16_messages(False, units=["amx_bf16"]) == [
        "bfloat16 on this CPU: amx_bf16 compute bfloat16 products in hardware."]


def test_a_cpu_without_bfloat16_units_is_told_the_run_will_be_slow():
    messages = cpu_bfloat16_messages(False, units=[])
    assert "this CPU has no bfloat16 units" in messages[0] and "slower than in float32" in messages[0]
    assert "Set training.mixed_precision=none" in messages[0]
