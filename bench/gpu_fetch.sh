#!/usr/bin/env bash
# Run HERE (the development machine) before a GPU session: gathers what the GPU machine lacks into
# the git-ignored folder .gpu-carry/, which the device tool carries (`carry: [".gpu-carry"]`):
#   debs/      Debian packages for GoogleTest, libpng and pkgconf (unpacked there with dpkg -x
#              into a private root by bench/gpu_session.sh, never into /)
#   testdata/  a copy of ../shared/testdata (the GPU machine cannot see ../shared); not committed
# Then, with the device tool: run `bash bench/gpu_session.sh` with carry [".gpu-carry"].
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.gpu-carry
mkdir -p "$dest/debs"
packages=(libgtest-dev googletest libpng-dev libpng16-16 zlib1g-dev pkgconf pkgconf-bin libpkgconf3)
(cd "$dest/debs" && apt-get download "${packages[@]}")
rm -rf "$dest/testdata"
cp -r ../shared/testdata "$dest/testdata"
du -sh "$dest"
