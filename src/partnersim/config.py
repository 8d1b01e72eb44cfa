"""Reading parameter files (TOML) against the one schema.

A run config is a TOML file with a ``[parameters]`` table (top-level keys
are accepted too). Every key is checked against
:data:`partnersim.schema.PARAMETERS`; the first problem raises a
:class:`ConfigError` naming the file, the key, the value and what is allowed.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from partnersim.schema import ParameterError, coerce, validate

__all__ = ["ConfigError", "load_parameters", "parse_sets", "read_toml"]


class ConfigError(ValueError):
    """A configuration file or command-line setting that cannot be used."""


def read_toml(path: str | Path) -> dict[str, Any]:
    """Parse a TOML file, with a clear error for a missing or malformed file."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a TOML file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: not UTF-8 text (byte {exc.start}): TOML files must be saved as UTF-8"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: malformed TOML: {exc}") from None


def load_parameters(path: str | Path) -> dict[str, Any]:
    """The checked parameters of a run config file (only those it sets).

    The file holds either one ``[parameters]`` table or ``name = value``
    lines at the top; any other table (a misspelled ``[paramters]``) or a
    top-level key beside ``[parameters]`` is refused rather than ignored.
    """
    data = read_toml(path)
    if "parameters" in data:
        params = data["parameters"]
        if not isinstance(params, dict):
            raise ConfigError(f"{path}: [parameters] must be a table of name = value")
        other = [k for k in data if k != "parameters"]
        if other:
            what = f"table [{other[0]}]" if isinstance(data[other[0]], dict) else f"key '{other[0]}'"
            raise ConfigError(
                f"{path}: unknown {what}: a run config has one table, [parameters]; put every parameter in it"
            )
    else:
        tables = [k for k, v in data.items() if isinstance(v, dict)]
        if tables:
            raise ConfigError(
                f"{path}: unknown table [{tables[0]}]: a run config has one table, [parameters] "
                "(or name = value lines at the top)"
            )
        params = data
    try:
        return validate(params, fill=False)
    except ParameterError as exc:
        raise ConfigError(f"{path}: key 'parameters.{exc.name}': {exc}") from None


def parse_sets(items: list[str] | None) -> dict[str, Any]:
    """Parse ``--set name=value`` items into checked parameters."""
    out: dict[str, Any] = {}
    for item in items or []:
        if "=" not in item:
            raise ConfigError(f"--set {item!r}: expected name=value")
        name, text = item.split("=", 1)
        try:
            out[name.strip()] = coerce(name.strip(), text)
        except ParameterError as exc:
            raise ConfigError(f"--set {item!r}: {exc}") from None
    return out
