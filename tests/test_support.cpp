#include "test_support.h"

#include <sys/stat.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <stdexcept>

namespace rife_test {
namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

bool is_file(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

std::string fixture(const std::string& name) { return env_or("RIFE_FIXTURES", "fixtures") + "/" + name; }
std::string testdata(const std::string& name) { return env_or("RIFE_TESTDATA", "../shared/testdata") + "/" + name; }
std::string real_model_path() { return RIFE_DEFAULT_MODEL_PATH; }
std::string rife46_model_path() { return env_or("RIFE46_MODEL_PATH", RIFE46_MODEL_PATH); }

void require_real_weights(const char* program) {
  const std::string path = real_model_path();
  if (is_file(path)) return;
  std::fprintf(stderr,
               "\n**********************************************************************\n"
               "%s: FAILED: the real RIFE 4.25/4.26 weights are missing (%s).\n"
               "./setup.sh obtains them (models/get_weights.py); run it and look at\n"
               "what it says.\n"
               "**********************************************************************\n\n",
               program, path.c_str());
  std::exit(1);
}

void require_rife46_weights_or_skip(const char* program) {
  const std::string path = rife46_model_path();
  if (is_file(path)) return;
  std::fprintf(stderr,
               "\n**********************************************************************\n"
               "%s: NOT RUN: no real RIFE 4.6 weights (%s).\n"
               "No registry these machines reach has them; provide your own file\n"
               "(README, 'Weights': models/get_weights.py --rife46) to run it.\n"
               "**********************************************************************\n\n",
               program, path.c_str());
  std::exit(77);
}

uint64_t address_space_in_use() {
  FILE* f = std::fopen("/proc/self/status", "r");
  char line[256];
  unsigned long kb = 0;
  while (f && std::fgets(line, sizeof line, f))
    if (std::sscanf(line, "VmSize: %lu kB", &kb) == 1) break;
  if (f) std::fclose(f);
  return uint64_t(kb) * 1024;
}

}  // namespace rife_test
