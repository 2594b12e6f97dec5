import os
import subprocess
import sys
import textwrap
import time

import pytest

from seqtk.training.run_lock import RunLockedError, lock_path, run_lock

HOLDER = textwrap.dedent("""
    import sys, time
    from seqtk.training.run_lock import run_lock
    with run_lock(sys.argv[1:], command="seqtk train lm --config holder"):
        print("held", flush=True)
        time.sleep(60)
""")


def hold_in_another_process(*folders):
    process = subprocess.Popen([sys.executable, "-c", HOLDER, *map(str, folders)], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "held"
    return process


class RunLockTest:
    def test_second_run_is_refused_naming_the_first(self, tmp_path):
        holder = hold_in_another_process(tmp_path / "checkpoints" / "lm")
        try:
            with pytest.raises(RunLockedError, match=rf"checkpoints/lm is being written by another training run "
                                                     rf"\(process {holder.pid} on .*seqtk train lm --config holder"):
                with run_lock([tmp_path / "saved" / "lm", tmp_path / "checkpoints" / "lm"]):
                    pass
        finally:
            holder.kill()
            holder.wait()
        # The holder was killed (-9): the operating system freed its lock, so the next run goes ahead.
        with run_lock([tmp_path / "saved" / "lm", tmp_path / "checkpoints" / "lm"], command="next"):
            assert os.path.exists(lock_path(tmp_path / "checkpoints" / "lm") + ".json")
        assert not os.path.exists(lock_path(tmp_path / "checkpoints" / "lm") + ".json")
        # Nothing was created among the run's folders.
        assert sorted(os.listdir(tmp_path)) == []

    def test_other_names_do_not_conflict(self, tmp_path):
        holder = hold_in_another_process(tmp_path / "checkpoints" / "lm")
        try:
            start = time.monotonic()
            with run_lock([tmp_path / "checkpoints" / "lm2"]):
                pass
            assert time.monotonic() - start < 5
        finally:
            holder.kill()
            holder.wait()


@pytest.mark.large
def test_a_training_of_a_running_name_stops_before_writing(tmp_path):
    from seqtk.tasks import get_task
    from task_samples import write_task_samples

    corpus = write_task_samples(tmp_path)["corpus"]
    holder = hold_in_another_process(tmp_path / "ck" / "lm")
    try:
        config = get_task("lm").load_config(None, overrides=[
            f"data.train=[{corpus}]", "data.validation=[]", "tokenizer.kind=char", "model.hidden_dim=8",
            "model.num_layers=1", "training.batch_size=4", "training.epochs=1", "training.verbose=0", "name=lm",
            f"output_dir={tmp_path}/saved", f"checkpoint_dir={tmp_path}/ck", f"log_dir={tmp_path}/runs"])
        with pytest.raises(RunLockedError, match="being written by another training run"):
            get_task("lm").train(config, log=lambda *a: None)
        assert not (tmp_path / "saved" / "lm").exists() and not (tmp_path / "ck" / "lm").exists()
    finally:
        holder.kill()
        holder.wait()
