#!/usr/bin/env python3
"""The ncnn -> state dict converter and the weights tool, on a synthetic export in the exact
RIFE 4.6 ncnn layout (tests/fixtures/make_fixtures.py writes it from random official weights)."""

import collections
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, os.path.join(ROOT, "models"))
import ncnn_to_state_dict as conv  # noqa: E402
import rife46_layout  # noqa: E402

FIXTURES = os.environ.get("RIFE_FIXTURES", "fixtures")
PARAM = os.path.join(FIXTURES, "synthetic_flownet.param")
BIN = os.path.join(FIXTURES, "synthetic_flownet.bin")


class ConvertSyntheticExport(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        cls.out = os.path.join(cls.tmp, "rife46.pth")
        r = subprocess.run([sys.executable, os.path.join(ROOT, "models", "ncnn_to_state_dict.py"), PARAM, BIN, cls.out],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        cls.original = torch.load(os.path.join(FIXTURES, "official_plain.pth"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_python_torch_load_reads_it_with_exactly_the_official_keys_and_shapes(self):
        sd = torch.load(self.out, weights_only=True)
        self.assertIsInstance(sd, collections.OrderedDict)
        self.assertEqual([(k, tuple(v.shape)) for k, v in sd.items()],
                         list(rife46_layout.state_dict_shapes().items()))
        self.assertTrue(all(v.dtype == torch.float32 for v in sd.values()))

    def test_beta_is_one_and_folded_into_the_conv_weights(self):
        sd = torch.load(self.out)
        for key in sd:
            if key.endswith(".beta"):
                self.assertTrue(torch.equal(sd[key], torch.ones_like(sd[key])), key)
                conv_key = key[: -len("beta")] + "conv.weight"
                folded = self.original[conv_key] * self.original[key].reshape(-1, 1, 1, 1)
                self.assertLess((sd[conv_key] - folded).abs().max().item(), 2e-3, conv_key)

    def test_deconvolution_weights_come_back_in_pytorch_layout(self):
        sd = torch.load(self.out)
        for block in ("block0", "block1", "block2", "block3"):
            key = f"{block}.lastconv.0.weight"
            self.assertLess((sd[key] - self.original[key]).abs().max().item(), 2e-3, key)


class RefuseBrokenExports(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def write(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb" if isinstance(data, bytes) else "w") as f:
            f.write(data)
        return path

    def assertRefused(self, param, bin_path, *fragments):
        with self.assertRaises(conv.ConversionError) as ctx:
            conv.convert(param, bin_path)
        for fragment in fragments:
            self.assertIn(fragment, str(ctx.exception))

    def test_truncated_bin(self):
        with open(BIN, "rb") as f:
            data = f.read()
        self.assertRefused(PARAM, self.write("t.bin", data[:-1000]), "t.bin: truncated")

    def test_trailing_bytes(self):
        with open(BIN, "rb") as f:
            data = f.read()
        self.assertRefused(PARAM, self.write("x.bin", data + b"\0" * 8), "8 unexpected trailing bytes")

    def test_wrong_weight_size_in_param(self):
        with open(PARAM) as f:
            text = f.read()
        bad = text.replace("6=6048", "6=6000", 1)
        self.assertRefused(self.write("w.param", bad), BIN, "weight_data_size 6000, expected 6048")

    def test_unknown_layer_type(self):
        with open(PARAM) as f:
            lines = f.read().splitlines()
        lines[2] = "InnerProduct fc 0 1 fc 0=10"
        self.assertRefused(self.write("u.param", "\n".join(lines)), BIN, "unexpected layer type InnerProduct")

    def test_not_a_param_file(self):
        self.assertRefused(self.write("n.param", "hello\n"), BIN, "not an ncnn param file")

    def test_int8_weights(self):
        with open(BIN, "rb") as f:
            data = bytearray(f.read())
        data[0:4] = (0x000D4B38).to_bytes(4, "little")
        self.assertRefused(PARAM, self.write("q.bin", bytes(data)), "int8-quantised")


class WeightsTool(unittest.TestCase):
    def test_a_bin_that_is_not_the_published_one_is_refused_by_its_git_blob_id(self):
        tmp = tempfile.mkdtemp()
        try:
            shutil.copy(PARAM, os.path.join(tmp, "flownet.param"))
            shutil.copy(BIN, os.path.join(tmp, "flownet.bin"))
            r = subprocess.run([sys.executable, os.path.join(ROOT, "models", "get_weights.py"), "--rife46", "--ncnn-dir", tmp,
                                "--output", os.path.join(tmp, "out.pth")], capture_output=True, text=True)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn("expected 70de38ecc5b6f1b63afa56108bf76911f04ce630", r.stderr)
            self.assertFalse(os.path.exists(os.path.join(tmp, "out.pth")))
        finally:
            shutil.rmtree(tmp)

    def test_git_blob_id_matches_git_hash_object(self):
        import rife46_weights
        with open(PARAM, "rb") as f:
            data = f.read()
        want = subprocess.run(["git", "hash-object", PARAM], capture_output=True, text=True).stdout.strip()
        self.assertEqual(rife46_weights.git_blob_id(data), want)


if __name__ == "__main__":
    unittest.main(verbosity=2)
