// Preloaded into the ThreadSanitizer run (tests/thread_sanitizer.sh): tells TSan about GLib's locks.
// GLib is not instrumented, and on Linux its GMutex, GRecMutex and GCond are built on futexes, not
// on the pthread functions TSan intercepts, so TSan cannot see that GStreamer's object locks, pad
// stream locks and queues order the threads: every access they protect would be reported. Each
// wrapper announces the lock operation to TSan around the real one (found with dlsym(RTLD_NEXT)).
// Calls from other libraries and programs go through here; GLib's calls inside itself do not, and
// need no annotation (TSan does not see GLib's own accesses either). TSan's annotation interface asks
// for pre_* before the real operation and post_* after it.
#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <cstdint>

extern "C" {

typedef union {
  void* p;
  unsigned int i[2];
} GMutex;
struct GRecMutex {
  void* p;
  unsigned int i[2];
};
struct GCond {
  void* p;
  unsigned int i[2];
};
typedef int gboolean;
typedef int64_t gint64;

}  // extern "C"

namespace {

template <class F>
F real(const char* name) {
  static_assert(sizeof(F) == sizeof(void*), "a function pointer");
  return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

}  // namespace

extern "C" {

void g_mutex_lock(GMutex* m) {
  static auto f = real<void (*)(GMutex*)>("g_mutex_lock");
  __tsan_mutex_pre_lock(m, 0);
  f(m);
  __tsan_mutex_post_lock(m, 0, 0);
}

gboolean g_mutex_trylock(GMutex* m) {
  static auto f = real<gboolean (*)(GMutex*)>("g_mutex_trylock");
  __tsan_mutex_pre_lock(m, __tsan_mutex_try_lock);
  const gboolean ok = f(m);
  __tsan_mutex_post_lock(m, ok ? __tsan_mutex_try_lock : __tsan_mutex_try_lock_failed, 0);
  return ok;
}

void g_mutex_unlock(GMutex* m) {
  static auto f = real<void (*)(GMutex*)>("g_mutex_unlock");
  __tsan_mutex_pre_unlock(m, 0);
  f(m);
  __tsan_mutex_post_unlock(m, 0);
}

void g_rec_mutex_lock(GRecMutex* m) {
  static auto f = real<void (*)(GRecMutex*)>("g_rec_mutex_lock");
  __tsan_mutex_pre_lock(m, __tsan_mutex_recursive_lock);
  f(m);
  __tsan_mutex_post_lock(m, __tsan_mutex_recursive_lock, 0);
}

gboolean g_rec_mutex_trylock(GRecMutex* m) {
  static auto f = real<gboolean (*)(GRecMutex*)>("g_rec_mutex_trylock");
  __tsan_mutex_pre_lock(m, __tsan_mutex_recursive_lock | __tsan_mutex_try_lock);
  const gboolean ok = f(m);
  __tsan_mutex_post_lock(m, __tsan_mutex_recursive_lock | (ok ? __tsan_mutex_try_lock : __tsan_mutex_try_lock_failed),
                         0);
  return ok;
}

void g_rec_mutex_unlock(GRecMutex* m) {
  static auto f = real<void (*)(GRecMutex*)>("g_rec_mutex_unlock");
  __tsan_mutex_pre_unlock(m, __tsan_mutex_recursive_unlock);
  f(m);
  __tsan_mutex_post_unlock(m, __tsan_mutex_recursive_unlock);
}

// A wait gives the mutex up and takes it again.
void g_cond_wait(GCond* c, GMutex* m) {
  static auto f = real<void (*)(GCond*, GMutex*)>("g_cond_wait");
  __tsan_mutex_pre_unlock(m, 0);
  __tsan_mutex_post_unlock(m, 0);
  f(c, m);
  __tsan_mutex_pre_lock(m, 0);
  __tsan_mutex_post_lock(m, 0, 0);
}

gboolean g_cond_wait_until(GCond* c, GMutex* m, gint64 end_time) {
  static auto f = real<gboolean (*)(GCond*, GMutex*, gint64)>("g_cond_wait_until");
  __tsan_mutex_pre_unlock(m, 0);
  __tsan_mutex_post_unlock(m, 0);
  const gboolean woken = f(c, m, end_time);
  __tsan_mutex_pre_lock(m, 0);
  __tsan_mutex_post_lock(m, 0, 0);
  return woken;
}

}  // extern "C"
