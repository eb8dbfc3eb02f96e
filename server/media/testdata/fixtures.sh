#!/bin/sh
# Makes the image fixtures of server/media with the tools photos really
# come from: libjpeg-turbo's cjpeg, ImageMagick 6 and exiftool (Debian
# bookworm: apt-get install libjpeg-turbo-progs imagemagick
# libimage-exiftool-perl). Run from this directory; the output is
# committed, so tests need none of these tools.
#
#   photo-411-gps.jpg  a 160×120 photo of four quadrants (red, green / blue,
#                      white) in 4:1:1 chroma subsampling, stored turned
#                      (EXIF orientation 6) with GPS, camera and author tags
#   fuzz/FuzzClean/*   the fuzz target's seed corpus: 24×16 images of many
#                      layouts, most with EXIF (GPS, orientation), in Go's
#                      corpus encoding
set -eu
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# quadrants W H: a binary PPM of the test picture.
quadrants() {
	python3 - "$1" "$2" <<'PY'
import sys
w, h = int(sys.argv[1]), int(sys.argv[2])
px = bytearray()
for y in range(h):
    for x in range(w):
        left, top = x < w // 2, y < h // 2
        px += bytes({(1, 1): (220, 30, 30), (0, 1): (30, 200, 30), (1, 0): (30, 30, 220), (0, 0): (250, 250, 250)}[(left, top)])
sys.stdout.buffer.write(b"P6 %d %d 255\n" % (w, h) + px)
PY
}

tags() { # file orientation
	exiftool -q -q -overwrite_original -n -Orientation="$2" -Make=OrdinatorCam -Model=Clinic-7 -Artist="Dr Ivanov" \
		-GPSLatitude=55.7558 -GPSLatitudeRef=N -GPSLongitude=37.6173 -GPSLongitudeRef=E "$1"
}

quadrants 160 120 >"$work/photo.ppm"
cjpeg -sample 4x1,1x1,1x1 -quality 92 "$work/photo.ppm" >photo-411-gps.jpg
tags photo-411-gps.jpg 6

quadrants 24 16 >"$work/q.ppm"
s="$work/seeds"
mkdir -p "$s"
for sample in 1x1 2x1 2x2 1x2 4x1 4x2; do
	cjpeg -sample "$sample,1x1,1x1" -quality 90 "$work/q.ppm" >"$s/jpeg-$sample.jpg"
done
cjpeg -progressive -sample 2x2,1x1,1x1 "$work/q.ppm" >"$s/jpeg-progressive-2x2.jpg"
cjpeg -progressive -sample 4x1,1x1,1x1 "$work/q.ppm" >"$s/jpeg-progressive-4x1.jpg"
cjpeg -grayscale "$work/q.ppm" >"$s/jpeg-gray.jpg"
cjpeg -grayscale -progressive "$work/q.ppm" >"$s/jpeg-gray-progressive.jpg"
convert "$work/q.ppm" -colorspace CMYK -quality 90 "$s/jpeg-cmyk.jpg"
i=1
for f in "$s"/*.jpg; do
	tags "$f" $((i % 8 + 1))
	i=$((i + 1))
done

im() { # name convert-arguments...
	name=$1
	shift
	convert "$work/q.ppm" "$@" "$s/$name.png"
}
im gray-1 -colorspace Gray -threshold 50% -define png:bit-depth=1 -define png:color-type=0
im gray-2 -colorspace Gray -define png:bit-depth=2 -define png:color-type=0
im gray-4 -colorspace Gray -define png:bit-depth=4 -define png:color-type=0
im gray-8 -colorspace Gray -define png:bit-depth=8 -define png:color-type=0
im gray-16 -colorspace Gray -depth 16 -define png:bit-depth=16 -define png:color-type=0
im gray-alpha-8 -colorspace Gray -alpha set -channel A -evaluate set 60% +channel -define png:color-type=4 -define png:bit-depth=8
im gray-alpha-16 -colorspace Gray -depth 16 -alpha set -channel A -evaluate set 60% +channel -define png:color-type=4 -define png:bit-depth=16
im rgb-8 -define png:color-type=2 -define png:bit-depth=8
im rgb-16 -depth 16 -define png:color-type=2 -define png:bit-depth=16
im rgba-8 -alpha set -channel A -evaluate set 60% +channel -define png:color-type=6 -define png:bit-depth=8
im rgba-16 -depth 16 -alpha set -channel A -evaluate set 60% +channel -define png:color-type=6 -define png:bit-depth=16
im rgb-8-interlaced -interlace PNG -define png:color-type=2
convert "$work/q.ppm" -colors 4 "PNG8:$s/paletted.png"
convert "$work/q.ppm" -transparent "rgb(250,250,250)" "PNG8:$s/paletted-transparent.png"
i=1
for f in "$s"/*.png; do
	tags "$f" $((i % 8 + 1))
	i=$((i + 1))
done

# Go's corpus encoding: a header line, then the bytes as a Go string.
mkdir -p fuzz/FuzzClean
rm -f fuzz/FuzzClean/*
for f in "$s"/*; do
	python3 - "$f" "fuzz/FuzzClean/$(basename "$f" | tr . -)" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
lit = "".join(chr(b) if 32 <= b < 127 and b not in (34, 92) else "\\x%02x" % b for b in data)
open(sys.argv[2], "w").write('go test fuzz v1\n[]byte("%s")\n' % lit)
PY
done
