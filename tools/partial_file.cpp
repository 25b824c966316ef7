#include "partial_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace rife_convert {

std::unique_ptr<PartialFile> PartialFile::create(const std::string& final_path, bool overwrite, std::string* error) {
  struct stat st {};
  if (stat(final_path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      *error = "cannot write " + final_path + ": it is a folder";
      return nullptr;
    }
    if (!overwrite) {
      *error = "cannot write " + final_path + ": it exists (--overwrite replaces it)";
      return nullptr;
    }
  }
  const size_t slash = final_path.rfind('/');
  const std::string folder = slash == std::string::npos ? "." : (slash == 0 ? "/" : final_path.substr(0, slash));
  const std::string name = slash == std::string::npos ? final_path : final_path.substr(slash + 1);
  std::string pattern = folder + "/." + name + ".partial-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  const int fd = mkstemp(buffer.data());
  if (fd < 0) {
    *error = "cannot write " + final_path + ": " + std::strerror(errno);
    return nullptr;
  }
  // mkstemp makes it 0600; a finished video should have the usual permissions (umask applies).
  const mode_t mask = umask(0);
  umask(mask);
  fchmod(fd, 0666 & ~mask);
  close(fd);
  return std::unique_ptr<PartialFile>(new PartialFile(final_path, buffer.data()));
}

PartialFile::~PartialFile() { discard(); }

bool PartialFile::commit(std::string* error) {
  if (done_) return true;
  if (std::rename(temporary_.c_str(), final_.c_str()) != 0) {
    *error = "cannot rename " + temporary_ + " to " + final_ + ": " + std::strerror(errno);
    discard();
    return false;
  }
  done_ = true;
  return true;
}

void PartialFile::discard() {
  if (done_) return;
  unlink(temporary_.c_str());
  done_ = true;
}

}  // namespace rife_convert
