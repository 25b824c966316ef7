// The output is written under a temporary name in OUT's folder (".OUT.partial-XXXXXX") and renamed
// to OUT only when the muxer has finished it, so no file named OUT is ever half-written; on failure
// or abort the temporary file is deleted.
#pragma once

#include <memory>
#include <string>

namespace rife_convert {

class PartialFile {
 public:
  // Creates the temporary file (proving the folder is writable). nullptr and a one-line reason if
  // OUT cannot be written: missing folder, no permission, OUT is a folder, OUT exists (without
  // `overwrite`).
  static std::unique_ptr<PartialFile> create(const std::string& final_path, bool overwrite, std::string* error);
  ~PartialFile();  // deletes the temporary file unless committed
  PartialFile(const PartialFile&) = delete;
  PartialFile& operator=(const PartialFile&) = delete;

  const std::string& temporary_path() const { return temporary_; }
  const std::string& final_path() const { return final_; }
  bool commit(std::string* error);  // rename into place
  void discard();

 private:
  PartialFile(std::string final_path, std::string temporary)
      : final_(std::move(final_path)), temporary_(std::move(temporary)) {}
  std::string final_, temporary_;
  bool done_ = false;
};

}  // namespace rife_convert
