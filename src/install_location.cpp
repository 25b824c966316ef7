#include "install_location.h"

#include <link.h>
#include <unistd.h>

#include <climits>
#include <cstdint>
#include <cstdlib>

namespace rife {
namespace {

struct Search {
  uintptr_t address;
  std::string file;
  bool found = false;
};

// The loaded object (program or shared library) whose segments hold `address`. dl_iterate_phdr
// names the main program "", so that one is read from /proc/self/exe.
int find_object(dl_phdr_info* info, size_t, void* data) {
  auto* search = static_cast<Search*>(data);
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& segment = info->dlpi_phdr[i];
    if (segment.p_type != PT_LOAD) continue;
    const uintptr_t start = info->dlpi_addr + segment.p_vaddr;
    if (search->address >= start && search->address < start + segment.p_memsz) {
      search->file = info->dlpi_name ? info->dlpi_name : "";
      search->found = true;
      return 1;
    }
  }
  return 0;
}

std::string real_path(const std::string& path) {
  char resolved[PATH_MAX];
  return realpath(path.c_str(), resolved) ? std::string(resolved) : path;
}

std::string folder_of_this_module() {
  Search search{reinterpret_cast<uintptr_t>(&folder_of_this_module), {}};
  dl_iterate_phdr(find_object, &search);
  std::string file = search.found && !search.file.empty() ? search.file : "/proc/self/exe";
  file = real_path(file);
  const size_t slash = file.rfind('/');
  return slash == std::string::npos ? "." : file.substr(0, slash);
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_absolute(const char* path) { return path[0] == '/'; }

// `installed_dir` as meson states it: relative to the prefix (the usual case, relocatable) or absolute.
// "" when `folder` is not that directory; the prefix "/" comes back as "/".
std::string prefix_if_installed_in(const std::string& folder, const char* installed_dir) {
  if (is_absolute(installed_dir)) return folder == real_path(installed_dir) ? RIFE_INSTALL_PREFIX : "";
  const std::string suffix = std::string("/") + installed_dir;
  if (!ends_with(folder, suffix)) return "";
  const std::string prefix = folder.substr(0, folder.size() - suffix.size());
  return prefix.empty() ? "/" : prefix;
}

std::string under_prefix(const std::string& prefix, const char* dir) {
  return is_absolute(dir) ? std::string(dir) : prefix + "/" + dir;
}

}  // namespace

std::string install_prefix_of_this_module() {
  const std::string folder = folder_of_this_module();
  std::string prefix = prefix_if_installed_in(folder, RIFE_INSTALL_PLUGINDIR);
  if (prefix.empty()) prefix = prefix_if_installed_in(folder, RIFE_INSTALL_BINDIR);
  return prefix;
}

std::string default_model_location() {
  const std::string prefix = install_prefix_of_this_module();
  if (prefix.empty()) return RIFE_SOURCE_MODEL_PATH;
  return under_prefix(prefix, RIFE_INSTALL_MODELDIR) + "/" + RIFE_MODEL_FILE;
}

std::string plugin_dir_for_this_program() {
  const std::string prefix = install_prefix_of_this_module();
  return prefix.empty() ? RIFE_BUILD_PLUGIN_DIR : under_prefix(prefix, RIFE_INSTALL_PLUGINDIR);
}

}  // namespace rife
