from seqtk.training.model_card import starting_point_section, starting_points


def test_a_starting_point_without_metrics_or_config_is_recorded_with_what_is_known(tmp_path):
    (tmp_path / "model.keras").write_bytes(b"weights")
    (point,) = starting_points([str(tmp_path)])
    assert (point["train"], point["training_seconds"], point["starts_from"]) == ([], 0.0, [])
    assert point["model_sha256"] == "9a129038d9a00aed0cf6a7ea059ca50a813449061ab87848cf1a13eafdf33b2c"
    lines = starting_point_section({"starts_from": [point], "training_seconds": 90.0})
    assert lines[-1] == "- Training time of the whole chain, this model's included: 2 min"
    assert lines[2] == f"- `{tmp_path}` (, ): trained on unrecorded data"
