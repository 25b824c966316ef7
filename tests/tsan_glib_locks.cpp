// Preloaded into the ThreadSanitizer run (tests/thread_sanitizer.sh): tells TSan about GLib's locks.
// GLib is not instrumented, and on Linux its GMutex and GCond are built on futexes, not on the
// pthread functions TSan intercepts (GRecMutex is a pthread mutex: TSan sees it already), so TSan cannot see that GStreamer's object locks, pad
// stream locks and queues order the threads: every access they protect would be reported. Each
// wrapper gives TSan the happens-before edge of the lock operation around the real one (found with
// dlsym(RTLD_NEXT)): a release on the lock's address before an unlock (and before a wait gives the
// mutex up), an acquire after a lock (and after a wait takes it back). Edges, not ownership: GLib
// also locks these inside itself, where no call goes through here, so lock/unlock annotations would
// see unbalanced unlocks (TSan aborts on those). Calls from other libraries and programs go through
// here; GLib's own accesses are not instrumented and need none. The TSan entry points are weak: a
// program without TSan that inherits LD_PRELOAD (llvm-symbolizer, run by TSan to print reports)
// loads this library and gets the plain GLib functions.
#include <dlfcn.h>

#include <cstdint>

extern "C" {

void __tsan_acquire(void* addr) __attribute__((weak));
void __tsan_release(void* addr) __attribute__((weak));

typedef int gboolean;
typedef int64_t gint64;
struct GMutex;
struct GCond;

}  // extern "C"

namespace {

template <class F>
F real(const char* name) {
  static_assert(sizeof(F) == sizeof(void*), "a function pointer");
  return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

void acquired(const void* lock) {
  if (__tsan_acquire) __tsan_acquire(const_cast<void*>(lock));
}
void releasing(const void* lock) {
  if (__tsan_release) __tsan_release(const_cast<void*>(lock));
}

}  // namespace

extern "C" {

void g_mutex_lock(GMutex* m) {
  static auto f = real<void (*)(GMutex*)>("g_mutex_lock");
  f(m);
  acquired(m);
}

gboolean g_mutex_trylock(GMutex* m) {
  static auto f = real<gboolean (*)(GMutex*)>("g_mutex_trylock");
  const gboolean ok = f(m);
  if (ok) acquired(m);
  return ok;
}

void g_mutex_unlock(GMutex* m) {
  static auto f = real<void (*)(GMutex*)>("g_mutex_unlock");
  releasing(m);
  f(m);
}

// A wait gives the mutex up and takes it again.
void g_cond_wait(GCond* c, GMutex* m) {
  static auto f = real<void (*)(GCond*, GMutex*)>("g_cond_wait");
  releasing(m);
  f(c, m);
  acquired(m);
}

gboolean g_cond_wait_until(GCond* c, GMutex* m, gint64 end_time) {
  static auto f = real<gboolean (*)(GCond*, GMutex*, gint64)>("g_cond_wait_until");
  releasing(m);
  const gboolean woken = f(c, m, end_time);
  acquired(m);
  return woken;
}

}  // extern "C"
