//===- Plot.cpp - Recall and budget against L, as a PNG -------------------===//
//
// Two panels side by side, x = L on a log2 axis with a tick at every data
// length: recall (with the target as a grey line) and the first tuned
// budget of each group (its value at every integer L between the shortest
// and the longest data length). Fitted: solid, squares at the data lengths;
// fixed: dashed. One colour per group. Text in the project's bitmap font.
//
//===----------------------------------------------------------------------===//
#include "Report.h"

#include "compiler/io/PngWriter.h"

#include "llvm/Support/Format.h"

#include <algorithm>
#include <cmath>

namespace spattn::calibrate {

namespace {

using png::Rgb;

const Rgb kWhite{255, 255, 255}, kBlack{0, 0, 0}, kGrey{170, 170, 170},
    kLight{232, 232, 232};
const Rgb kPalette[] = {{31, 119, 180}, {214, 39, 40},  {44, 160, 44},
                        {148, 103, 189}, {255, 127, 14}, {140, 86, 75},
                        {227, 119, 194}, {23, 190, 207}};

Rgb colourOf(size_t group) { return kPalette[group % 8]; }

std::string shortNumber(double value) {
  std::string text;
  llvm::raw_string_ostream(text) << llvm::format("%.3g", value);
  return text;
}

/// A panel: data coordinates to pixels, clipped drawing.
struct Panel {
  png::Image &image;
  int64_t x0, y0, width, height; // the plot area
  double xMin, xMax, yMin, yMax; // x in log2(L)

  int64_t px(double length) const {
    double t = (std::log2(length) - xMin) / (xMax - xMin);
    return x0 + int64_t(std::lround(t * double(width - 1)));
  }
  int64_t py(double y) const {
    double t = (y - yMin) / (yMax - yMin);
    return y0 + height - 1 - int64_t(std::lround(t * double(height - 1)));
  }
  bool inside(int64_t x, int64_t y) const {
    return x >= x0 && x < x0 + width && y >= y0 && y < y0 + height;
  }
  /// A line of `thickness` pixels; dashed draws 6 pixels of every 10.
  void line(int64_t ax, int64_t ay, int64_t bx, int64_t by, Rgb colour,
            int thickness, bool dashed, int64_t &phase) const {
    int64_t steps = std::max(std::abs(bx - ax), std::abs(by - ay));
    for (int64_t s = 0; s <= steps; ++s, ++phase) {
      if (dashed && phase % 10 >= 6)
        continue;
      int64_t x = ax + (steps ? (bx - ax) * s / steps : 0);
      int64_t y = ay + (steps ? (by - ay) * s / steps : 0);
      for (int dx = 0; dx < thickness; ++dx)
        for (int dy = 0; dy < thickness; ++dy)
          if (inside(x + dx, y + dy))
            image.setPixel(x + dx, y + dy, colour);
    }
  }
  void polyline(const std::vector<std::pair<double, double>> &points,
                Rgb colour, int thickness, bool dashed) const {
    int64_t phase = 0;
    for (size_t i = 1; i < points.size(); ++i)
      line(px(points[i - 1].first), py(points[i - 1].second),
           px(points[i].first), py(points[i].second), colour, thickness,
           dashed, phase);
  }
  void marker(double length, double y, Rgb colour, bool filled) const {
    int64_t x = px(length), yy = py(y);
    if (filled)
      image.fillRect(x - 3, yy - 3, 7, 7, colour);
    else
      image.frameRect(x - 2, yy - 2, 5, 5, colour);
  }
  /// Frame, grid, ticks at the data lengths and `yTicks` values, labels.
  void axes(const std::vector<int64_t> &lengths, double yStep,
            llvm::StringRef title, llvm::StringRef yLabel) const {
    int ticks = int(std::lround((yMax - yMin) / yStep));
    for (int t = 0; t <= ticks; ++t) {
      double y = yMin + yStep * t;
      int64_t yy = py(y);
      image.fillRect(x0, yy, width, 1, kLight);
      std::string text = shortNumber(y);
      image.drawText(x0 - 6 - png::textWidth(text, 1), yy - 4, text, kBlack, 1);
    }
    for (int64_t length : lengths) {
      int64_t x = px(double(length));
      image.fillRect(x, y0, 1, height, kLight);
      std::string text = std::to_string(length);
      image.drawText(x - png::textWidth(text, 1) / 2, y0 + height + 5, text,
                     kBlack, 1);
    }
    image.frameRect(x0, y0, width, height, kBlack);
    image.drawText(x0 + (width - png::textWidth(title, 2)) / 2, y0 - 26,
                   title, kBlack, 2);
    image.drawText(x0 + (width - png::textWidth("L (log scale)", 1)) / 2,
                   y0 + height + 18, "L (log scale)", kBlack, 1);
    image.drawText(x0 - 6 - png::textWidth(yLabel, 1), y0 - 12, yLabel, kBlack,
                   1);
  }
};

/// A step of 1, 2 or 5 times a power of ten giving at most about 6 ticks
/// over `span`.
double niceStep(double span) {
  double step = std::pow(10.0, std::floor(std::log10(span / 6)));
  for (double factor : {1.0, 2.0, 5.0, 10.0})
    if (span / (step * factor) <= 6.0)
      return step * factor;
  return step * 10;
}

} // namespace

llvm::Error writePlot(const Report &report, llvm::StringRef path) {
  const int64_t panelW = 400, panelH = 260, left = 64, gap = 96, top = 70;
  const int64_t legendRows = int64_t(report.groups.size()) + 1;
  png::Image image(left + 2 * panelW + gap + 24,
                   top + panelH + 44 + 14 * legendRows + 12, kWhite);
  std::string title = "@" + report.specName + ": recall target " +
                      shortNumber(report.target);
  image.drawText((image.width() - png::textWidth(title, 2)) / 2, 8, title,
                 kBlack, 2);

  double xMin = std::log2(double(report.lengths.front()));
  double xMax = std::log2(double(report.lengths.back()));
  if (xMax - xMin < 1e-9) {
    xMin -= 0.5;
    xMax += 0.5;
  } else {
    double pad = (xMax - xMin) * 0.04;
    xMin -= pad;
    xMax += pad;
  }

  // Recall panel.
  double low = report.target;
  for (const GroupReport &group : report.groups)
    low = std::min({low, minRecallOf(group.fitted), minRecallOf(group.fixed)});
  double recallStep = niceStep(std::max(1.0 - low, 0.01));
  double yMin =
      std::max(0.0, std::floor((low - recallStep / 2) / recallStep) * recallStep);
  Panel recall{image, left, top, panelW, panelH, xMin, xMax, yMin, 1.0};
  recall.axes(report.lengths, recallStep, "recall", "");
  {
    int64_t phase = 0;
    recall.line(recall.x0, recall.py(report.target),
                recall.x0 + recall.width - 1, recall.py(report.target), kGrey,
                1, false, phase);
  }
  for (size_t g = 0; g < report.groups.size(); ++g) {
    const GroupReport &group = report.groups[g];
    for (bool fixed : {true, false}) {
      const Setting &setting = fixed ? group.fixed : group.fitted;
      std::vector<std::pair<double, double>> points;
      for (const LengthStats &at : setting.stats)
        points.push_back({double(at.length), at.totals.recall()});
      recall.polyline(points, colourOf(g), fixed ? 1 : 2, fixed);
      for (auto [x, y] : points)
        recall.marker(x, y, colourOf(g), !fixed);
    }
  }

  // Budget panel: the first tuned budget of each group.
  double yMax = 1;
  std::string budgetName;
  for (const GroupReport &group : report.groups) {
    if (group.shownBudgets.empty())
      continue;
    if (budgetName.empty())
      budgetName = report.budgetLabels[group.shownBudgets.front()];
    for (const Setting *setting : {&group.fitted, &group.fixed})
      for (int64_t value : setting->curve)
        yMax = std::max(yMax, double(value));
  }
  double budgetStep = niceStep(yMax);
  yMax = std::ceil(yMax * 1.02 / budgetStep) * budgetStep;
  Panel budget{image, left + panelW + gap, top, panelW, panelH,
               xMin, xMax, 0.0, yMax};
  budget.axes(report.lengths, budgetStep,
              budgetName.empty() ? std::string("budget") : budgetName, "");
  for (size_t g = 0; g < report.groups.size(); ++g) {
    const GroupReport &group = report.groups[g];
    if (group.shownBudgets.empty())
      continue;
    size_t site = group.shownBudgets.front();
    for (bool fixed : {true, false}) {
      const Setting &setting = fixed ? group.fixed : group.fitted;
      std::vector<std::pair<double, double>> points;
      for (size_t i = 0; i < setting.curve.size(); ++i)
        points.push_back({double(report.curveLengths[i]),
                          double(setting.curve[i])});
      budget.polyline(points, colourOf(g), fixed ? 1 : 2, fixed);
      for (const LengthStats &at : setting.stats)
        budget.marker(double(at.length), double(at.budgets[site]),
                      colourOf(g), !fixed);
    }
  }

  // Legend.
  int64_t y = top + panelH + 40;
  {
    image.fillRect(left, y + 4, 31, 2, kBlack);
    int64_t x = left + 38 + image.drawText(left + 38, y, "fitted", kBlack, 1);
    image.fillRect(x + 24, y + 4, 6, 1, kBlack);
    image.fillRect(x + 34, y + 4, 6, 1, kBlack);
    image.fillRect(x + 44, y + 4, 6, 1, kBlack);
    x += 58 + image.drawText(x + 58, y, "best fixed budget", kBlack, 1);
    image.fillRect(x + 24, y + 4, 30, 1, kGrey);
    image.drawText(x + 60, y, "recall target", kBlack, 1);
  }
  for (size_t g = 0; g < report.groups.size(); ++g) {
    y += 14;
    image.fillRect(left, y + 1, 30, 7, colourOf(g));
    image.drawText(left + 38, y, report.groups[g].name, kBlack, 1);
  }
  return png::writePng(path, image);
}

} // namespace spattn::calibrate
