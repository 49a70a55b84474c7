//===- TileRanges.cpp - Key-tile ranges of one query tile -----------------===//
#include "dialects/SpAttn/Schedule/TileRanges.h"

#include <algorithm>

namespace spattn::sched {

namespace {

/// Boundary sweep: the kind of every elementary interval between two range
/// ends is `combine` of the inputs' kinds there.
template <typename Combine>
TileRanges sweep(const TileRanges &a, const TileRanges &b, Combine combine) {
  std::vector<int64_t> cuts;
  for (const TileRanges *list : {&a, &b})
    for (const TileRange &r : *list) {
      cuts.push_back(r.lo);
      cuts.push_back(r.hi);
    }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  auto kindAt = [](const TileRanges &list, size_t &cursor, int64_t tile) {
    while (cursor < list.size() && list[cursor].hi <= tile)
      ++cursor;
    if (cursor < list.size() && list[cursor].lo <= tile)
      return list[cursor].kind;
    return TileKind::Skipped;
  };
  TileRanges out;
  size_t ia = 0, ib = 0;
  for (size_t c = 0; c + 1 < cuts.size(); ++c) {
    TileKind kind = combine(kindAt(a, ia, cuts[c]), kindAt(b, ib, cuts[c]));
    if (kind == TileKind::Skipped)
      continue;
    if (!out.empty() && out.back().hi == cuts[c] && out.back().kind == kind)
      out.back().hi = cuts[c + 1];
    else
      out.push_back({cuts[c], cuts[c + 1], kind});
  }
  return out;
}

} // namespace

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

TileRanges uniteRanges(const TileRanges &a, const TileRanges &b) {
  return sweep(a, b, [](TileKind x, TileKind y) { return std::max(x, y); });
}

TileRanges intersectRanges(const TileRanges &a, const TileRanges &b) {
  return sweep(a, b, [](TileKind x, TileKind y) { return std::min(x, y); });
}

TileRanges clipRanges(const TileRanges &ranges, int64_t lo, int64_t hi) {
  TileRanges out;
  for (TileRange r : ranges) {
    r.lo = std::max(r.lo, lo);
    r.hi = std::min(r.hi, hi);
    if (r.lo < r.hi)
      out.push_back(r);
  }
  return out;
}

int64_t countTiles(const TileRanges &ranges, TileKind kind) {
  int64_t count = 0;
  for (const TileRange &r : ranges)
    if (kind == TileKind::Skipped || r.kind == kind)
      count += r.hi - r.lo;
  return count;
}

} // namespace spattn::sched
