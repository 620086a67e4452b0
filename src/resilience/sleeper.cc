#include "resilience/sleeper.h"

#include <thread>

namespace cairn::resilience {

void ThreadSleeper::SleepFor(Nanos d) {
  if (d.count() > 0) std::this_thread::sleep_for(d);
}

ThreadSleeper& ThreadSleeper::Instance() {
  static ThreadSleeper sleeper;
  return sleeper;
}

}  // namespace cairn::resilience
