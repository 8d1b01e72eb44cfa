#!/usr/bin/env bash
# Set up partnersim from nothing: find Python >= 3.12, make .venv, install the
# package with its test tools. With --browser, also install Debian's chromium
# for the classroom app's browser test. Safe to run again: it only adds.
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=0
for arg in "$@"; do
  case "$arg" in
    --browser) want_browser=1 ;;
    *) echo "setup.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

ok_python() {  # prints the path when "$1" runs and is Python >= 3.12
  "$1" -c 'import sys; assert sys.version_info >= (3, 12); print(sys.executable)' 2>/dev/null
}

find_python() {
  local c p
  for c in "${PYTHON:-}" python3.12 python3.13 python3.14 python3; do
    [ -n "$c" ] || continue
    command -v "$c" >/dev/null 2>&1 || continue
    if p=$(ok_python "$c"); then echo "$p"; return 0; fi
  done
  # pyenv installs that its shims do not expose
  for c in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 /usr/local/bin/python3.1[2-9] /opt/python*/bin/python3; do
    [ -x "$c" ] || continue
    if p=$(ok_python "$c"); then echo "$p"; return 0; fi
  done
  return 1
}

if [ ! -x .venv/bin/python ] || ! ok_python .venv/bin/python >/dev/null; then
  if ! py=$(find_python); then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
      echo "setup.sh: no Python >= 3.12 found; trying Debian's python3.12" >&2
      apt-get update -qq && apt-get install -y -qq python3.12 python3.12-venv >/dev/null 2>&1 || true
    fi
    py=$(find_python) || { echo "setup.sh: partnersim needs Python >= 3.12; set PYTHON=/path/to/python3.12" >&2; exit 1; }
  fi
  echo "setup.sh: using $py"
  rm -rf .venv
  "$py" -m venv .venv
fi

.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
# compile the model's engine now (about 30 s once; numba caches it next to the source)
.venv/bin/python -c "from partnersim import fast; fast.warm()"

if [ "$want_browser" = 1 ] && ! command -v chromium >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "setup.sh: installing Debian's chromium for the browser test"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "setup.sh: chromium not found and cannot apt-get it; the browser test will be skipped" >&2
  fi
fi
if [ "$want_browser" = 1 ] && ! command -v pdftoppm >/dev/null 2>&1; then
  # experiments/readme_figures.py turns the funders' printed report into a PNG with pdftoppm
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null 2>&1 ||
      echo "setup.sh: could not install poppler-utils; experiments/readme_figures.py --all needs pdftoppm" >&2
  fi
fi
if [ "$want_browser" = 1 ]; then
  # the app's page scripts come from a CDN that some networks block; npm can fetch them
  if ! command -v npm >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "setup.sh: installing Debian's npm to fetch the app's page scripts"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
  fi
  if command -v npm >/dev/null 2>&1; then
    .venv/bin/partnersim app --fetch-assets
  else
    echo "setup.sh: npm not found; the app will load its page scripts from the CDN" >&2
  fi
fi
echo "setup.sh: ready (.venv/bin/partnersim)"
