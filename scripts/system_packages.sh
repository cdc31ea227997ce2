#!/usr/bin/env bash
# The Debian/Ubuntu packages the platform and its tests need beyond Python (`make install` runs this).
# Missing ones are installed with apt-get when we are root; otherwise one line names them and the
# command to run, and `make install` stops (exit 2). SKIP_SYSTEM_PACKAGES=1 skips the check.
#   unixodbc, odbc-postgresql: pyodbc and the ODBC table syncs; tesseract-ocr: OCR of scanned PDFs;
#   chromium: the browser the UI tests drive; docker-compose: `make up` and the compose checks;
#   redis-server: the Celery broker the EXECUTOR=celery tests and bench-scale start on a free port.
set -euo pipefail
packages=(unixodbc odbc-postgresql tesseract-ocr chromium docker-compose redis-server)
[[ "${SKIP_SYSTEM_PACKAGES:-}" == 1 ]] && exit 0
if ! command -v dpkg >/dev/null 2>&1; then
  echo "error: cannot check system packages without dpkg: install the equivalents of ${packages[*]}, then rerun with SKIP_SYSTEM_PACKAGES=1" >&2
  exit 2
fi
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
((${#missing[@]} == 0)) && exit 0
if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi
echo "error: missing system packages: ${missing[*]}; install them with: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
exit 2
