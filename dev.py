#!/usr/bin/env python3
"""Newsroom's two commands, for a fresh machine with only Python >= 3.12:

    python3 dev.py run     set up (virtualenv, install, migrate, demo content, admin login), serve on :8000 and
                           run the background task worker (image renditions)
    python3 dev.py test    set up, then run the test suite (extra arguments go to pytest)

This script runs on any Python 3.11+; it builds the virtualenv with the newest Python >= 3.12 it finds.
"""

import hashlib
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
VENV_PYTHON = VENV / "bin" / "python"
STAMP = VENV / ".installed-from"
MIN_VERSION = (3, 12)


def find_python():
    """The interpreter to build the virtualenv with: this one if new enough, else a python3.1x on PATH or pyenv."""
    if sys.version_info >= MIN_VERSION:
        return sys.executable
    candidates = [shutil.which(f"python3.{minor}") for minor in range(20, MIN_VERSION[1] - 1, -1)]
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if pyenv_root.is_dir():
        candidates += [str(p / "bin" / "python3") for p in sorted(pyenv_root.iterdir(), reverse=True)]
    for candidate in filter(None, candidates):
        try:
            out = subprocess.run(
                [candidate, "-c", "import sys; print(sys.version_info >= (3, 12))"],
                capture_output=True,
                text=True,
            )
        except OSError:
            continue
        if out.stdout.strip() == "True":
            return candidate
    sys.exit("Newsroom needs Python >= 3.12: install it (or put python3.12+ on PATH) and run this again.")


def requirements():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return project["dependencies"] + project["optional-dependencies"]["dev"]


def ensure_venv():
    if not VENV_PYTHON.exists():
        print(f"Creating virtualenv in {VENV} ...")
        subprocess.run([find_python(), "-m", "venv", str(VENV)], check=True)
    wanted = requirements()
    digest = hashlib.sha256("\n".join(wanted).encode()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == digest:
        return
    print("Installing pinned dependencies ...")
    subprocess.run([str(VENV_PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([str(VENV_PYTHON), "-m", "pip", "install", "--quiet", *wanted], check=True)
    STAMP.write_text(digest)


def manage(*args, env):
    subprocess.run([str(VENV_PYTHON), "manage.py", *args], cwd=ROOT, env=env, check=True)


def run():
    ensure_venv()
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "1")}
    manage("migrate", "--verbosity", "0", env=env)
    manage("load_demo", env=env)
    # Image renditions are made in the background: the task worker runs beside the server and stops with it.
    worker = subprocess.Popen([str(VENV_PYTHON), "manage.py", "db_worker"], cwd=ROOT, env=env)
    try:
        manage("runserver", "127.0.0.1:8000", env=env)
    finally:
        worker.terminate()
        worker.wait(timeout=20)


def test(args):
    ensure_venv()
    result = subprocess.run([str(VENV_PYTHON), "-m", "pytest", *args], cwd=ROOT)
    sys.exit(result.returncode)


def main():
    command, *rest = sys.argv[1:] or ["help"]
    if command == "run":
        run()
    elif command == "test":
        test(rest)
    else:
        print(__doc__)
        sys.exit(0 if command in {"help", "-h", "--help"} else 2)


if __name__ == "__main__":
    main()
