#!/usr/bin/env bash
# meson install step: copies the default model (git-ignored, obtained by ./setup.sh through
# models/get_weights.py) to <prefix>/<datadir>/gst-rife/, where an installed plugin looks for it.
#   install_default_model.sh SOURCE_FILE INSTALL_DIR   (INSTALL_DIR relative to the prefix, or absolute)
set -euo pipefail
source_file=$1 install_dir=$2
if [ ! -f "$source_file" ]; then
  echo "meson install: the default model $source_file is missing: run ./setup.sh (or models/get_weights.py) first" >&2
  exit 1
fi
case $install_dir in
  /*) dest="${DESTDIR:-}$install_dir" ;;
  *) dest="$MESON_INSTALL_DESTDIR_PREFIX/$install_dir" ;;
esac
install -D -m 644 "$source_file" "$dest/$(basename "$source_file")"
echo "Installing $(basename "$source_file") to $dest"
