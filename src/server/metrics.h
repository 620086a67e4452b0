#pragma once
// Node metrics, rendered in the Prometheus text format by /metrics.
// Names carry their units (_seconds, _bytes, _total).
//
// Thread-safety: none; the node's loop thread owns them.

#include <array>
#include <cstdint>
#include <map>
#include <string>

namespace cairn::server {

// Latency histogram with fixed buckets (seconds).
class Histogram {
 public:
  static constexpr std::array<double, 12> kBoundsSeconds = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5};
  void Observe(double seconds);
  // Appends "<name>_bucket{<labels>,le=..}" lines, _sum and _count
  // (`labels` may be empty).
  void Render(const std::string& name, const std::string& labels, std::string* out) const;
  std::uint64_t count() const { return count_; }
  double sum_seconds() const { return sum_seconds_; }
  // Observations at or below kBoundsSeconds[i] (cumulative, as Render's).
  std::uint64_t at_or_below(std::size_t i) const { return buckets_[i]; }

 private:
  std::array<std::uint64_t, kBoundsSeconds.size()> buckets_{};
  std::uint64_t count_ = 0;
  double sum_seconds_ = 0;
};

struct Metrics {
  std::uint64_t leader_changes_total = 0;
  std::uint64_t proposals_total = 0;
  std::uint64_t proposal_batches_total = 0;
  std::uint64_t proposal_groups_total = 0;  // group entries (kv/log_entry.h) proposed
  std::uint64_t proposals_failed_total = 0;
  std::uint64_t reads_total = 0;
  std::uint64_t lease_reads_local_total = 0;  // answered at once under the lease
  std::uint64_t log_reads_total = 0;          // key reads proposed behind their connection's writes
  std::uint64_t forwarded_total = 0;
  std::uint64_t freshness_probes_total = 0;  // read indexes asked for bounded reads
  std::uint64_t connections_total = 0;
  std::uint64_t connections_rejected_total = 0;
  std::uint64_t tls_handshake_failures_total = 0;
  std::uint64_t loop_stalls_total =
      0;  // ticks late by an election timeout or more  // TLS connections that never became clients
  std::uint64_t clients_connected = 0;
  std::uint64_t client_bytes_in_total = 0;
  std::uint64_t client_bytes_out_total = 0;
  std::uint64_t client_writes_total = 0;  // socket writes of replies (each one or more)
  std::uint64_t commands_total = 0;
  std::uint64_t pubsub_messages_total = 0;         // PUBLISH deliveries to this node's subscribers
  std::uint64_t pubsub_dropped_clients_total = 0;  // subscribers cut off for not reading
  std::uint64_t auth_failures_total = 0;           // AUTH or HELLO AUTH with a wrong password
  std::uint64_t ready_cycles_total = 0;
  std::uint64_t snapshots_total = 0;            // checkpoints taken here
  std::uint64_t snapshots_installed_total = 0;  // received from a leader
  std::uint64_t snapshot_bytes_sent_total = 0;
  std::uint64_t snapshot_bytes_received_total = 0;
  std::map<std::string, Histogram> latency_by_command;
  // One Ready's Raft log write that had to be durable: the write and its
  // fdatasync, timed on the persist thread, observed on the loop thread.
  Histogram log_sync_duration;
};

}  // namespace cairn::server
