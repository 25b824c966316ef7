// A 5x7 bitmap font for labelling pictures (rife-compare): capitals, digits and a little
// punctuation, so that a label needs no font library. Lower case is drawn as capitals.
#pragma once

#include <cstdint>
#include <string>

#include "image_io.h"

namespace rife_io {

// Draws `text` into `image` with its top-left corner at (x, y), each font pixel `scale` pixels
// wide, in colour rgb; characters the font lacks are drawn as a space. Clipped at the edges.
void draw_text(Image& image, int x, int y, const std::string& text, int scale, const uint8_t rgb[3]);
int text_width(const std::string& text, int scale);  // pixels, with one font pixel between glyphs
constexpr int kGlyphHeight = 7;

}  // namespace rife_io
