#include "common/clock.h"

namespace cairn {

SystemClock& SystemClock::Instance() {
  static SystemClock clock;
  return clock;
}

}  // namespace cairn
