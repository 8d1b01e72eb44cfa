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


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[paramters]\nstaff_turnover = 0.3\n", ["unknown table [paramters]", "[parameters]"]),
        ("rng = 3\n[parameters]\nstaff_turnover = 0.3\n", ["unknown key 'rng'", "[parameters]"]),
        ("[parameters]\nstaff_turnover = 0.3\n[extra]\nx = 1\n", ["unknown table [extra]"]),
    ],
)
def test_run_config_refuses_unknown_tables_and_keys(tmp_path, capsys, text, words):
    from partnersim.cli import main

    config = tmp_path / "run.toml"
    config.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", "--config", str(config), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith("partnersim run: error: ")
    assert str(config) in err and all(w in err for w in words)
    assert not out.exists()


def test_run_config_reads_a_parameters_table_or_top_level_keys(tmp_path):
    from partnersim.config import load_parameters

    for text in ("[parameters]\nstaff_turnover = 0.3\n", "staff_turnover = 0.3\n"):
        config = tmp_path / "run.toml"
        config.write_text(text, encoding="utf-8")
        assert load_parameters(config) == {"staff_turnover": 0.3}
