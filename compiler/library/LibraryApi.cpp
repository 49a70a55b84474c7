//===- LibraryApi.cpp - The C API of a generated CPU library --------------===//
#include "compiler/library/LibraryApi.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <dlfcn.h>
#include <type_traits>

namespace spattn {

LibraryApi::~LibraryApi() {
  if (handle)
    dlclose(handle);
}

llvm::Error LibraryApi::load(llvm::StringRef path, llvm::StringRef libName) {
  name = libName.str();
  // dlopen searches the library path for a name without a slash.
  llvm::SmallString<256> absolute(path);
  llvm::sys::fs::make_absolute(absolute);
  std::string file(absolute);
  handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    return llvm::createStringError(llvm::Twine("cannot load ") + dlerror());
  std::string missing; // the first symbol not found
  auto resolve = [&](auto &fn, const char *suffix) {
    std::string symbol = name + suffix;
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(
        dlsym(handle, symbol.c_str()));
    if (!fn && missing.empty())
      missing = symbol;
  };
  resolve(attention, "_attention");
  resolve(lastError, "_last_error");
  resolve(info, "_info");
  resolve(maxLength, "_max_length");
  resolve(numBudgets, "_num_budgets");
  resolve(budgetLabel, "_budget_label");
  resolve(budgets, "_budgets");
  resolve(numStages, "_num_stages");
  resolve(stageKind, "_stage_kind");
  resolve(selection, "_selection");
  auto resolveOptional = [&](auto &fn, const char *suffix) {
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(
        dlsym(handle, (name + suffix).c_str()));
  };
  resolveOptional(cpuIsa, "_cpu_isa");
  resolveOptional(pageSize, "_page_size");
  resolveOptional(updatePageBounds, "_update_page_bounds");
  resolveOptional(attentionWithPageBounds, "_attention_with_page_bounds");
  if (missing.empty())
    return llvm::Error::success();
  return llvm::createStringError(file + " does not export " + missing +
                                 " (is it the library of spec @" + name + "?)");
}

std::string sharedObjectPath(llvm::StringRef path, llvm::StringRef name) {
  if (!llvm::sys::fs::is_directory(path))
    return path.str();
  llvm::SmallString<256> file(path);
  llvm::sys::path::append(file, "lib" + name + ".so");
  return std::string(file);
}

spattn_tensor contiguousTensor(const float *data,
                               llvm::ArrayRef<int64_t> shape) {
  spattn_tensor t = {};
  t.data = const_cast<float *>(data);
  t.dtype = SPATTN_F32;
  t.rank = static_cast<int32_t>(shape.size());
  int64_t stride = 1;
  for (int32_t d = t.rank - 1; d >= 0; --d) {
    t.shape[d] = shape[d];
    t.strides[d] = stride;
    stride *= shape[d];
  }
  return t;
}

} // namespace spattn
