// One owned reference to a GstBuffer, released when the holder goes: move-only, so that a buffer
// can be in one place at a time and no path out of a function forgets to unref it.
#pragma once

#include <gst/gst.h>

#include <utility>

class BufferRef {
 public:
  BufferRef() = default;
  // Takes over a reference the caller owns.
  static BufferRef adopt(GstBuffer* buffer) { return BufferRef(buffer); }
  // Adds a reference of its own.
  static BufferRef share(GstBuffer* buffer) { return BufferRef(buffer ? gst_buffer_ref(buffer) : nullptr); }

  BufferRef(BufferRef&& other) noexcept : buffer_(std::exchange(other.buffer_, nullptr)) {}
  BufferRef& operator=(BufferRef&& other) noexcept {
    if (this != &other) reset(std::exchange(other.buffer_, nullptr));
    return *this;
  }
  BufferRef(const BufferRef&) = delete;
  BufferRef& operator=(const BufferRef&) = delete;
  ~BufferRef() { reset(); }

  GstBuffer* get() const { return buffer_; }
  explicit operator bool() const { return buffer_ != nullptr; }
  BufferRef ref() const { return share(buffer_); }  // a second reference to the same buffer
  // Gives the reference to the caller (e.g. to push it).
  GstBuffer* release() { return std::exchange(buffer_, nullptr); }
  void reset(GstBuffer* buffer = nullptr) {
    if (buffer_) gst_buffer_unref(buffer_);
    buffer_ = buffer;
  }

 private:
  explicit BufferRef(GstBuffer* buffer) : buffer_(buffer) {}
  GstBuffer* buffer_ = nullptr;
};
