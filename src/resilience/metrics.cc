#include "resilience/metrics.h"

#include <cstdio>

namespace cairn::resilience {

int StripedCounter::NextStripe() {
  static std::atomic<int> next{0};
  return next.fetch_add(1, std::memory_order_relaxed) % kStripes;
}

void MetricsRegistry::Add(Entry e) {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.push_back(std::move(e));
}

void MetricsRegistry::AddCounter(std::string name, std::string help, std::string labels,
                                 std::function<double()> read) {
  Add({std::move(name), std::move(help), std::move(labels), MetricType::kCounter, std::move(read)});
}
void MetricsRegistry::AddGauge(std::string name, std::string help, std::string labels,
                               std::function<double()> read) {
  Add({std::move(name), std::move(help), std::move(labels), MetricType::kGauge, std::move(read)});
}
void MetricsRegistry::AddHistogram(std::string name, std::string help, std::string labels,
                                   const LatencyHistogram* histogram) {
  Add({std::move(name), std::move(help), std::move(labels), MetricType::kHistogram, nullptr,
       histogram});
}

namespace {
std::string_view TypeName(MetricType t) {
  switch (t) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
  }
  return "untyped";
}
std::string FormatValue(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}
}  // namespace

std::string MetricsRegistry::Expose() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  std::vector<bool> done(entries_.size(), false);
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    if (done[i]) continue;
    const Entry& head = entries_[i];
    out += "# HELP " + head.name + " " + head.help + "\n";
    out += "# TYPE " + head.name + " " + std::string(TypeName(head.type)) + "\n";
    for (std::size_t j = i; j < entries_.size(); ++j) {
      const Entry& e = entries_[j];
      if (done[j] || e.name != head.name) continue;
      done[j] = true;
      if (e.type == MetricType::kHistogram) {
        e.histogram->AppendPrometheus(out, e.name, e.labels);
        continue;
      }
      out += e.name;
      if (!e.labels.empty()) out += "{" + e.labels + "}";
      out += " " + FormatValue(e.read()) + "\n";
    }
  }
  return out;
}

std::string EscapeLabelValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace cairn::resilience
