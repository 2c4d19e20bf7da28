"""Dask batch scoring on an in-process local cluster: one output per input partition, with the
partition's own records; a corrupt partition fails the run by name; a failing task is retried."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from streaming_helpers import make_records, train_tiny_model, write_jsonl
from training import dask_predict
from training.dask_predict import PartitionError, predict_partitions

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("tiny")
    return train_tiny_model(tmp / "model", write_jsonl(tmp / "corpus.jsonl", make_records(150)))


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as cluster, distributed.Client(cluster) as c:
        yield c


def _partitions(folder: Path, sizes: list[int]) -> dict[str, list[str]]:
    """Unlabeled input partitions; returns stem -> ids."""
    out = {}
    for k, n in enumerate(sizes):
        rows = [{"id": r["id"], "text": r["text"]} for r in make_records(n, seed=k, prefix=f"p{k}-")]
        write_jsonl(folder / f"part-{k}.jsonl", rows)
        out[f"part-{k}"] = [r["id"] for r in rows]
    return out


def _quiet(message: str) -> None:
    pass


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_one_output_per_input_partition_with_its_own_records(tmp_path, tiny_model, client, fmt):
    expected = _partitions(tmp_path / "in", [7, 1, 12])
    summary = predict_partitions(str(tmp_path / "in" / "*.jsonl"), tmp_path / "out", tiny_model, fmt=fmt,
                                 client=client, progress=_quiet)
    assert summary["records"] == 20 and summary["partitions"] == 3
    outputs = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert outputs == [f"{stem}.{fmt}" for stem in sorted(expected)]
    for stem, ids in expected.items():
        path = tmp_path / "out" / f"{stem}.{fmt}"
        if fmt == "jsonl":
            rows = [json.loads(line) for line in path.read_text().splitlines()]
        else:
            import pyarrow.parquet as pq
            rows = pq.read_table(path).to_pylist()
        assert [r["id"] for r in rows] == ids
        assert all(r["disposition"] in ("granted", "denied", "dismissed", "granted_in_part", "unknown")
                   for r in rows)


def test_a_corrupt_partition_fails_the_run_naming_it(tmp_path, tiny_model, client):
    _partitions(tmp_path / "in", [5, 5])
    bad = tmp_path / "in" / "part-bad.jsonl"
    bad.write_text('{"id": "b1", "text": "The motion is DENIED."}\n{"id": "b2", "text": \n')
    with pytest.raises(PartitionError) as failure:
        predict_partitions(str(tmp_path / "in" / "*.jsonl"), tmp_path / "out", tiny_model, client=client,
                           retries=1, progress=_quiet)
    message = str(failure.value)
    assert "1 of 3 partitions" in message
    assert f"{bad}:2: malformed JSON" in message
    assert "part-0.jsonl:" not in message and "part-1.jsonl:" not in message
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["part-0.jsonl", "part-1.jsonl"]


def test_a_failing_task_is_retried(tmp_path, tiny_model, client, monkeypatch):
    """Workers are threads of this process here, so a patched writer fails each partition once."""
    expected = _partitions(tmp_path / "in", [4, 6])
    failed_once: set[str] = set()
    real_write = dask_predict.write_rows

    def flaky(rows, path, fmt):
        if str(path) not in failed_once:
            failed_once.add(str(path))
            raise OSError("disk hiccup")
        real_write(rows, path, fmt)

    monkeypatch.setattr(dask_predict, "write_rows", flaky)
    with pytest.raises(PartitionError, match="OSError: disk hiccup"):
        predict_partitions(str(tmp_path / "in" / "*.jsonl"), tmp_path / "out0", tiny_model, client=client,
                           retries=0, progress=_quiet)
    failed_once.clear()
    summary = predict_partitions(str(tmp_path / "in" / "*.jsonl"), tmp_path / "out", tiny_model,
                                 client=client, retries=1, progress=_quiet)
    assert summary["records"] == sum(len(ids) for ids in expected.values())
    assert len(failed_once) == 2


def test_partitions_with_the_same_name_are_refused(tmp_path, tiny_model, client):
    write_jsonl(tmp_path / "a" / "part.jsonl", make_records(2))
    write_jsonl(tmp_path / "b" / "part.jsonl", make_records(2, prefix="x"))
    with pytest.raises(PartitionError, match="would write the same output"):
        predict_partitions([str(tmp_path / "a" / "part.jsonl"), str(tmp_path / "b" / "part.jsonl")],
                           tmp_path / "out", tiny_model, client=client, progress=_quiet)


def test_cli_with_a_local_cluster_exits_2_naming_the_corrupt_partition(tmp_path, tiny_model, capsys):
    from motion_outcome.cli import main

    _partitions(tmp_path / "in", [3])
    (tmp_path / "in" / "broken.jsonl").write_text('{"id": "x"}\n')
    code = main(["predict", "--model", str(tiny_model), "--input", str(tmp_path / "in" / "*.jsonl"),
                 "--output", str(tmp_path / "out"), "--dask", "local", "--workers", "1", "--retries", "0"])
    assert code == 2
    err = capsys.readouterr().err
    assert "broken.jsonl:1: missing field 'text'" in err
    assert (tmp_path / "out" / "part-0.jsonl").is_file()
