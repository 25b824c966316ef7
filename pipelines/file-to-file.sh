#!/usr/bin/env bash
# Any video file -> doubled frame rate -> MP4.   pipelines/file-to-file.sh in.mp4 out.mp4 [rate]
# With a third argument the output rate is forced, e.g. 60/1 for 24 -> 60 fps.
# 8-bit sources are encoded as H.264 (x264); 10- and 12-bit sources stay at their depth through rife
# and are encoded as HEVC Main 10 / Main 12 (x265), never through 8 bits.
set -euo pipefail
source "$(dirname "$0")/env.sh"
rate=${3:+",framerate=$3"}
# The decoder's own format, read from its first video frame.
decoded=$(gst-launch-1.0 -v filesrc location="$1" ! decodebin ! video/x-raw ! fakesink num-buffers=1 2>/dev/null |
  sed -n 's/.*caps = video\/x-raw, format=(string)\([A-Za-z0-9_]*\).*/\1/p' | head -n 1)
case "$decoded" in
  I420_10LE | I422_10LE | Y444_10LE | I420_12LE | I422_12LE | Y444_12LE) deep=$decoded ;; # x265 takes them as they are
  *10*) deep=I420_10LE ;;                                                                  # P010_10LE and the like
  *12* | *16* | *64*) deep=I420_12LE ;;                                                    # P012/P016, 16-bit RGB
  *) deep="" ;;
esac
if [ -n "$deep" ]; then
  # dither=none: videoconvert's default dithering would change 10-bit samples even from P010 to I420_10LE.
  exec gst-launch-1.0 -e filesrc location="$1" ! decodebin ! videoconvert dither=none ! "video/x-raw,format=$deep" ! \
    rife $RIFE_PROPS ! "video/x-raw$rate" ! x265enc ! h265parse ! mp4mux ! filesink location="$2"
fi
exec gst-launch-1.0 -e filesrc location="$1" ! decodebin ! videoconvert ! \
  rife $RIFE_PROPS ! "video/x-raw$rate" ! videoconvert ! x264enc ! mp4mux ! filesink location="$2"
