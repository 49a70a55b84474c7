//===- SpecSource.cpp - Spec text into a module, never a crash ------------===//
#include "compiler/io/SpecSource.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringExtras.h"

#include <optional>

namespace spattn {
namespace {

/// A construct the parser would crash on: where it starts and why.
struct ParserCrasher {
  size_t offset;
  llvm::StringRef why;
};

bool isWordStart(char c) { return llvm::isAlpha(c) || c == '_'; }
bool isWordChar(char c) {
  return llvm::isAlnum(c) || c == '_' || c == '$' || c == '.';
}

size_t wordEnd(llvm::StringRef text, size_t pos) {
  while (pos < text.size() && isWordChar(text[pos]))
    ++pos;
  return pos;
}

size_t lineEnd(llvm::StringRef text, size_t pos) {
  return std::min(text.find('\n', pos), text.size());
}

/// Past a string literal starting at `pos` (its '"'); the lexer ends an
/// unterminated one at the line's end.
size_t stringEnd(llvm::StringRef text, size_t pos) {
  for (++pos; pos < text.size() && text[pos] != '\n'; ++pos) {
    if (text[pos] == '"')
      return pos + 1;
    if (text[pos] == '\\')
      ++pos;
  }
  return pos;
}

/// Past the whitespace and `//` comments at `pos`: what the lexer skips
/// between tokens.
size_t tokenStart(llvm::StringRef text, size_t pos) {
  while (pos < text.size()) {
    if (llvm::isSpace(text[pos]))
      ++pos;
    else if (text.substr(pos).starts_with("//"))
      pos = lineEnd(text, pos);
    else
      break;
  }
  return pos;
}

/// For the keyword `array` ending at `pos`: the element type of the dense
/// array it starts, if the parser crashes on it.
std::optional<ParserCrasher> crashingDenseArray(llvm::StringRef text,
                                                size_t pos) {
  pos = tokenStart(text, pos);
  if (pos >= text.size() || text[pos] != '<')
    return std::nullopt;
  size_t type = tokenStart(text, pos + 1);
  if (type < text.size() && text[type] == '!')
    return ParserCrasher{type, "a dense array's element type must be a builtin "
                               "integer or float type written out, not a type "
                               "alias or dialect type (MLIR's parser crashes "
                               "on an alias of 'index')"};
  if (text.slice(type, wordEnd(text, type)) == "index")
    return ParserCrasher{type, "a dense array's element type must be a builtin "
                               "integer or float type, not 'index' (MLIR's "
                               "parser crashes on it)"};
  return std::nullopt;
}

/// The first crasher in `text`, outside string literals and comments.
std::optional<ParserCrasher> findParserCrasher(llvm::StringRef text) {
  size_t pos = 0;
  while (pos < text.size()) {
    char c = text[pos];
    if (c == '"') {
      pos = stringEnd(text, pos);
    } else if (text.substr(pos).starts_with("//")) {
      pos = lineEnd(text, pos);
    } else if (isWordStart(c)) {
      size_t end = wordEnd(text, pos);
      if (text.slice(pos, end) == "array")
        if (auto crasher = crashingDenseArray(text, end))
          return crasher;
      pos = end;
    } else {
      ++pos;
    }
  }
  return std::nullopt;
}

} // namespace

llvm::LogicalResult refuseParserCrashers(const llvm::SourceMgr &sourceMgr,
                                         mlir::MLIRContext *context) {
  const llvm::MemoryBuffer *buffer =
      sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
  std::optional<ParserCrasher> crasher =
      findParserCrasher(buffer->getBuffer());
  if (!crasher)
    return llvm::success();
  auto [line, column] = sourceMgr.getLineAndColumn(
      llvm::SMLoc::getFromPointer(buffer->getBufferStart() + crasher->offset));
  mlir::emitError(mlir::FileLineColLoc::get(
      context, buffer->getBufferIdentifier(), line, column))
      << crasher->why;
  return llvm::failure();
}

mlir::OwningOpRef<mlir::ModuleOp> parseSpecSource(llvm::SourceMgr &sourceMgr,
                                                  mlir::MLIRContext *context) {
  if (failed(refuseParserCrashers(sourceMgr, context)))
    return nullptr;
  return mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, context);
}

} // namespace spattn
