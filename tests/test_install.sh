#!/usr/bin/env bash
# An installed copy stands alone: `meson install` into a temporary DESTDIR, then, in a private mount
# namespace where the source and build trees are covered by empty folders (only the torch
# installation chosen at configure time stays visible, as README says it must), gst-inspect-1.0
# finds the installed plugin, a pipeline runs with the installed default model, rife-convert finds
# the plugin installed beside it, and $RIFE_MODEL_PATH and model-path still win.
#   test_install.sh BUILD SOURCE PREFIX PLUGINDIR BINDIR MODELDIR MODELFILE   (dirs as meson states them)
set -euo pipefail
build=$(realpath "$1") source=$(realpath "$2") prefix=$3 plugin_dir=$4 bin_dir=$5 model_dir=$6 model_file=$7
root=$(mktemp -d /tmp/gst-rife-install-XXXXXX)
trap 'rm -rf "$root"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok   $*"; }
under_root() { case $1 in /*) echo "$root$1" ;; *) echo "$root$prefix/$1" ;; esac; }

meson install -C "$build" --no-rebuild --destdir "$root" >"$root/install.log" 2>&1 || { cat "$root/install.log"; fail "meson install"; }
plugins=$(under_root "$plugin_dir") bin=$(under_root "$bin_dir") models=$(under_root "$model_dir")
so=$plugins/libgstrife.so
[ -f "$so" ] && [ -x "$bin/rife-convert" ] && [ -x "$bin/rife-bench" ] || fail "plugin or tools not installed"
cmp -s "$models/$model_file" "$source/models/weights/$model_file" || fail "the default model is not installed"
ok "installed: $so, $bin/rife-convert, $models/$model_file"

# LibTorch is found through the runtime path meson keeps on install: the torch chosen at configure
# time, and nothing of the build tree.
runpath=$(readelf -d "$so" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]/\1/p')
torch_lib=$(tr ':' '\n' <<<"$runpath" | grep '/torch/lib$' | head -1)
[ -n "$torch_lib" ] || fail "RUNPATH of the installed plugin has no torch/lib: '$runpath'"
case ":$runpath:" in *"$build"*) fail "RUNPATH points into the build tree: $runpath" ;; esac
ok "RUNPATH $runpath"

# A clip made before the trees are hidden: 8 frames, 64x48.
gst-launch-1.0 -q videotestsrc num-buffers=8 pattern=ball ! video/x-raw,width=64,height=48,framerate=10/1 ! \
  x264enc ! mp4mux ! filesink location="$root/clip.mp4"

if unshare --mount true 2>/dev/null; then
  namespace=(unshare --mount)
elif unshare --map-root-user --mount true 2>/dev/null; then
  namespace=(unshare --map-root-user --mount)
else
  fail "this test needs a private mount namespace (unshare --mount) to hide the source and build trees"
fi

# site-packages holds torch/ and the nvidia/ libraries torch's own runpath names relative to itself.
site=$(dirname "$(dirname "$torch_lib")")
export root source build plugins bin models model_file so site
"${namespace[@]}" bash -euo pipefail -c '
  fail() { echo "FAIL: $*" >&2; exit 1; }
  ok() { echo "ok   $*"; }
  mount --make-rprivate /
  mkdir -p "$root/keep"
  mount --bind "$(realpath "$site")" "$root/keep"
  mount -t tmpfs empty "$source"
  case "$build/" in "$source/"*) ;; *) mount -t tmpfs empty "$build" ;; esac
  mkdir -p "$site"
  mount --bind "$root/keep" "$site"
  [ ! -e "$source/models/weights/$model_file" ] && [ ! -e "$build/build.ninja" ] || fail "the trees are still visible"
  ok "source and build trees hidden; only $site stays"
  unset LD_LIBRARY_PATH GST_PLUGIN_PATH RIFE_MODEL_PATH
  export GST_REGISTRY=$root/registry.bin

  found=$(GST_PLUGIN_PATH=$plugins gst-inspect-1.0 rife | sed -n "s/^ *Filename *//p")
  [ "$found" = "$so" ] || fail "gst-inspect-1.0 rife found \"$found\", not the installed $so"
  ok "gst-inspect-1.0 rife: $found"

  log=$(GST_PLUGIN_PATH=$plugins GST_DEBUG=rife:4 gst-launch-1.0 videotestsrc num-buffers=3 ! \
        video/x-raw,width=64,height=48,framerate=10/1 ! rife device=cpu scale=1 ! fakesink 2>&1) || fail "pipeline: $log"
  grep -q "from $models/$model_file" <<<"$log" || fail "the installed model was not used: $log"
  ok "a pipeline runs with the installed default model ($models/$model_file)"

  out=$("$bin/rife-convert" "$root/clip.mp4" "$root/out.mkv" --set device=cpu --set scale=1 2>&1) || fail "rife-convert: $out"
  grep -q "frames in 8, out 15" <<<"$out" || fail "rife-convert: $out"
  ok "the installed rife-convert finds the plugin beside it: $(tail -1 <<<"$out")"

  out=$(GST_PLUGIN_PATH=$plugins RIFE_MODEL_PATH=/nonexistent/env.pkl gst-launch-1.0 videotestsrc num-buffers=2 ! \
        rife device=cpu ! fakesink 2>&1) && fail "RIFE_MODEL_PATH was ignored"
  grep -q /nonexistent/env.pkl <<<"$out" || fail "RIFE_MODEL_PATH does not win: $out"
  out=$(GST_PLUGIN_PATH=$plugins gst-launch-1.0 videotestsrc num-buffers=2 ! \
        rife device=cpu model-path=/nonexistent/prop.pkl ! fakesink 2>&1) && fail "model-path was ignored"
  grep -q /nonexistent/prop.pkl <<<"$out" || fail "model-path does not win: $out"
  ok "\$RIFE_MODEL_PATH and model-path still win over the installed model"
'
echo "the installed copy works with the source and build trees hidden"
