// Writes a generated register history (linearizable by construction) as JSON
// lines, for timing cairn-check end to end:
//   check_gen OPS CLIENTS KEYS INFO_FRACTION SEED > history.jsonl
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "check/history_format.h"
#include "check/history_gen.h"

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: check_gen OPS CLIENTS KEYS INFO_FRACTION SEED\n";
    return 2;
  }
  cairn::check::RegisterGenOptions o;
  o.ops = std::atoi(argv[1]);
  o.clients = std::atoi(argv[2]);
  o.keys = std::atoi(argv[3]);
  o.info_fraction = std::atof(argv[4]);
  if (o.ops <= 0 || o.clients <= 0 || o.keys <= 0) {
    std::cerr << "OPS, CLIENTS and KEYS must be positive\n";
    return 2;
  }
  cairn::Xoshiro256 rng(std::strtoull(argv[5], nullptr, 10));
  std::cout << cairn::check::FormatHistory(cairn::check::GenerateRegisterHistory(rng, o));
  return 0;
}
