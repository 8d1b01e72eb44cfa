"""Atomic writes: complete files or nothing, with ordinary permissions."""

from __future__ import annotations

import stat

import pandas as pd
import pytest

from partnersim.io import atomic_write, write_json, write_table


def test_tables_round_trip_in_parquet_and_csv(tmp_path):
    df = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    for name in ("t.parquet", "t.csv"):
        path = write_table(df, tmp_path / "sub" / name)
        back = pd.read_parquet(path) if name.endswith("parquet") else pd.read_csv(path)
        pd.testing.assert_frame_equal(back, df)
        assert stat.S_IMODE(path.stat().st_mode) & 0o044, "file should be readable by others"
    with pytest.raises(ValueError, match="unsupported table format"):
        write_table(df, tmp_path / "t.xlsx")


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = write_json({"v": 1}, tmp_path / "m.json")

    def broken(p):
        p.write_text("half")
        raise RuntimeError("killed mid-write")

    with pytest.raises(RuntimeError):
        atomic_write(path, broken)
    assert path.read_text().strip().startswith("{") and '"v": 1' in path.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]
