"""The browser assets Solara needs, for classrooms and CI runners that cannot reach its CDN.

Solara's page loads its JavaScript and CSS (the Vuetify app, RequireJS, Font
Awesome) through its own server, which fetches them once from a CDN
(jsdelivr) and keeps them in a cache folder. Where the CDN is blocked but the
npm registry is not (school networks, CI runners), :func:`fetch_assets` puts
the same files in that cache with ``npm pack``; after that the app works
offline. The package versions are read from Solara's own page template, so
they follow Solara upgrades.
"""

from __future__ import annotations

import pathlib
import re
import shutil
import subprocess
import tarfile
import tempfile

__all__ = ["cache_dir", "fetch_assets", "missing_assets", "solara_asset_packages"]

_SPEC = re.compile(r"\{\{\s*cdn\s*\}\}/((?:@[\w.-]+/)?[\w.-]+@[\w.+-]+)/")


def solara_asset_packages() -> list[str]:
    """The npm packages (``name@version``) that Solara's page loads, from its template and settings."""
    import solara.server.settings as settings

    template = pathlib.Path(settings.__file__).parent / "templates" / "solara.html.j2"
    specs = set(_SPEC.findall(template.read_text(encoding="utf-8")))
    fontawesome = settings.assets.fontawesome_path.strip("/").split("/")[0]
    if "@" in fontawesome:
        specs.add(fontawesome)
    return sorted(specs)


def cache_dir() -> pathlib.Path:
    """Solara's cache folder for CDN files."""
    import solara.server.settings as settings

    return pathlib.Path(settings.assets.proxy_cache_dir)


def missing_assets() -> list[str]:
    """Packages Solara's page needs that are not in the cache yet."""
    root = cache_dir()
    return [spec for spec in solara_asset_packages() if not (root / spec).is_dir()]


def fetch_assets(npm: str = "npm", timeout: float = 300.0) -> list[str]:
    """Put the missing packages in Solara's cache with ``npm pack``; return what was fetched.

    Raises:
        FileNotFoundError: npm is not installed.
        subprocess.CalledProcessError: npm could not fetch a package.
    """
    todo = missing_assets()
    if not todo:
        return []
    exe = shutil.which(npm)
    if exe is None:
        raise FileNotFoundError("npm is needed to fetch the app's browser assets without the CDN")
    root = cache_dir()
    for spec in todo:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(
                [exe, "pack", spec, "--silent", "--pack-destination", tmp],
                check=True,
                capture_output=True,
                timeout=timeout,
                cwd=tmp,
            )
            (tarball,) = pathlib.Path(tmp).glob("*.tgz")
            unpacked = pathlib.Path(tmp) / "unpacked"
            with tarfile.open(tarball) as tar:
                tar.extractall(unpacked, filter="data")
            target = root / spec
            target.parent.mkdir(parents=True, exist_ok=True)
            # npm tarballs hold one top folder, usually "package"
            (top,) = list(unpacked.iterdir())
            shutil.copytree(top, target, dirs_exist_ok=True)
    return todo
