#include "check/timeline.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

namespace cairn::check {
namespace {

constexpr double kWidthPx = 1400;
constexpr double kLeftPx = 70;  // lane labels
constexpr double kLaneHeightPx = 24;
constexpr double kTopPx = 30;   // nemesis labels

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string Num(double x) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", x);
  return buf;
}

struct Scale {
  std::int64_t t0 = 0;
  std::int64_t t1 = 1;
  double X(std::int64_t t) const {
    if (t == kNeverNs) t = t1;
    return kLeftPx + (kWidthPx - kLeftPx - 10) * static_cast<double>(t - t0) / static_cast<double>(t1 - t0);
  }
};

Scale MakeScale(const History& h) {
  Scale s;
  s.t0 = kNeverNs;
  s.t1 = 0;
  for (const Op& op : h.ops) {
    s.t0 = std::min(s.t0, op.invoke_ns);
    s.t1 = std::max(s.t1, op.invoke_ns);
    if (op.observed_ns != kNeverNs) s.t1 = std::max(s.t1, op.observed_ns);
    if (op.complete_ns != kNeverNs) s.t1 = std::max(s.t1, op.complete_ns);
  }
  for (const NemesisEvent& n : h.nemesis) {
    s.t0 = std::min(s.t0, n.start_ns);
    s.t1 = std::max(s.t1, n.stop_ns == kNeverNs ? n.start_ns : n.stop_ns);
  }
  if (s.t0 == kNeverNs) s.t0 = 0;
  if (s.t1 <= s.t0) s.t1 = s.t0 + 1;
  return s;
}

std::string Label(const Op& op) {
  std::string f(FnName(op.f).substr(0, 1));
  if (op.f == Fn::kCas) return f + " " + std::to_string(op.cas_old) + ">" + std::to_string(op.cas_new);
  if (op.has_elements) return f + " {" + std::to_string(op.elements.size()) + "}";
  if (op.f == Fn::kRead && !op.ok()) return f;
  return f + " " + (op.value ? std::to_string(*op.value) : "nil");
}

void RenderOp(const Op& op, const Scale& scale, double lane_y, bool failing, std::string& svg) {
  std::int64_t end_ns = op.ok() || op.fail() ? op.complete_ns : op.observed_ns;
  double x0 = scale.X(op.invoke_ns);
  double x1 = std::max(scale.X(end_ns), x0 + 2);
  const char* fill = op.ok() ? "#66bb6a" : op.fail() ? "#bdbdbd" : "#ffb74d";
  svg += "<g><title>" + Escape(DescribeOp(op)) + "</title><rect x=\"" + Num(x0) + "\" y=\"" +
         Num(lane_y + 3) + "\" width=\"" + Num(x1 - x0) + "\" height=\"" + Num(kLaneHeightPx - 6) +
         "\" fill=\"" + fill + "\"";
  if (failing) svg += " stroke=\"#d50000\" stroke-width=\"3\"";
  if (end_ns == kNeverNs) svg += " stroke-dasharray=\"4 2\" stroke=\"#e65100\"";
  svg += "/>";
  if (x1 - x0 > 30) {
    svg += "<text x=\"" + Num(x0 + 3) + "\" y=\"" + Num(lane_y + kLaneHeightPx - 8) +
           "\" font-size=\"10\">" + Escape(op.key + " " + Label(op)) + "</text>";
  }
  svg += "</g>\n";
}

std::string RenderSvg(const History& h, const Verdict* verdict) {
  Scale scale = MakeScale(h);
  std::map<std::int64_t, int> lanes;
  for (const Op& op : h.ops) lanes.emplace(op.process, 0);
  int lane_index = 0;
  for (auto& [process, index] : lanes) index = lane_index++;
  double height = kTopPx + kLaneHeightPx * std::max<double>(1, lanes.size()) + 20;
  std::set<int> failing;
  if (verdict != nullptr) failing.insert(verdict->failing_op_ids.begin(), verdict->failing_op_ids.end());

  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + Num(kWidthPx) +
                    "\" height=\"" + Num(height) + "\" font-family=\"monospace\">\n";
  for (const NemesisEvent& n : h.nemesis) {
    double x0 = scale.X(n.start_ns);
    double x1 = std::max(scale.X(n.stop_ns), x0 + 2);
    svg += "<g><title>" + Escape(n.kind + " " + n.detail) + "</title><rect x=\"" + Num(x0) +
           "\" y=\"0\" width=\"" + Num(x1 - x0) + "\" height=\"" + Num(height) +
           "\" fill=\"#7e57c2\" fill-opacity=\"0.15\"/><text x=\"" + Num(x0 + 2) +
           "\" y=\"12\" font-size=\"11\" fill=\"#4527a0\">" + Escape(n.kind) + "</text></g>\n";
  }
  for (const auto& [process, index] : lanes) {
    double y = kTopPx + kLaneHeightPx * index;
    svg += "<text x=\"4\" y=\"" + Num(y + kLaneHeightPx - 8) + "\" font-size=\"12\">p" +
           std::to_string(process) + "</text><line x1=\"" + Num(kLeftPx) + "\" x2=\"" + Num(kWidthPx) +
           "\" y1=\"" + Num(y + kLaneHeightPx) + "\" y2=\"" + Num(y + kLaneHeightPx) +
           "\" stroke=\"#eeeeee\"/>\n";
  }
  for (const Op& op : h.ops) {
    RenderOp(op, scale, kTopPx + kLaneHeightPx * lanes[op.process], failing.count(op.id) > 0, svg);
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace

std::string RenderTimelineHtml(const History& h, const Verdict* verdict, const std::string& title) {
  std::string html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + Escape(title) +
                     "</title></head>\n<body style=\"font-family:sans-serif\">\n<h3>" + Escape(title) +
                     "</h3>\n<p>green ok, grey fail, orange info (indeterminate; dashed if never "
                     "completed), purple bands nemesis faults, red outline failing ops. Hover for "
                     "details.</p>\n";
  if (verdict != nullptr) html += "<pre>" + Escape(FormatVerdict(*verdict)) + "</pre>\n";
  html += "<div style=\"overflow-x:auto\">" + RenderSvg(h, verdict) + "</div>\n</body></html>\n";
  return html;
}

}  // namespace cairn::check
