//===- TileRanges.cpp - Key-tile ranges of one query tile -----------------===//
#include "core/TileRanges.h"

#include <algorithm>

namespace spattn::core {

TileRanges normalizeRanges(std::vector<TileRange> ranges) {
  // Events sorted by tile; per elementary interval, the strongest kind open.
  struct Event {
    int64_t tile;
    TileKind kind;
    int delta;
  };
  std::vector<Event> events;
  for (const TileRange &r : ranges)
    if (r.lo < r.hi && r.kind != TileKind::Skipped) {
      events.push_back({r.lo, r.kind, +1});
      events.push_back({r.hi, r.kind, -1});
    }
  std::sort(events.begin(), events.end(),
            [](const Event &x, const Event &y) { return x.tile < y.tile; });
  TileRanges out;
  int64_t open[3] = {0, 0, 0};
  for (size_t e = 0; e < events.size();) {
    int64_t tile = events[e].tile;
    for (; e < events.size() && events[e].tile == tile; ++e)
      open[static_cast<int>(events[e].kind)] += events[e].delta;
    if (e == events.size())
      break;
    TileKind kind = open[2] ? TileKind::Full
                    : open[1] ? TileKind::Partial
                              : TileKind::Skipped;
    if (kind == TileKind::Skipped)
      continue;
    int64_t next = events[e].tile;
    if (!out.empty() && out.back().hi == tile && out.back().kind == kind)
      out.back().hi = next;
    else
      out.push_back({tile, next, kind});
  }
  return out;
}

static TileRanges combine(const TileRanges &a, const TileRanges &b, bool unite) {
  TileRanges out(2 * (a.size() + b.size()));
  out.resize(combineRanges(a.data(), static_cast<int>(a.size()), b.data(),
                           static_cast<int>(b.size()), unite, out.data()));
  return out;
}

TileRanges uniteRanges(const TileRanges &a, const TileRanges &b) {
  return combine(a, b, true);
}

TileRanges intersectRanges(const TileRanges &a, const TileRanges &b) {
  return combine(a, b, false);
}

TileRanges clipRanges(const TileRanges &ranges, int64_t lo, int64_t hi) {
  TileRanges out = ranges;
  out.resize(clipRangesInPlace(out.data(), static_cast<int>(out.size()), lo, hi));
  return out;
}

int64_t countTiles(const TileRanges &ranges, TileKind kind) {
  int64_t count = 0;
  for (const TileRange &r : ranges)
    if (kind == TileKind::Skipped || r.kind == kind)
      count += r.hi - r.lo;
  return count;
}

} // namespace spattn::core
