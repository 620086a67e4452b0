#pragma once
// Renders a history as a self-contained HTML page holding one SVG timeline:
// one lane per client process, a bar per op from invocation to completion
// (green ok, grey fail, orange info; an info op with no completion runs to the
// end of the history), translucent bands for nemesis faults, and a red outline
// on the ops a verdict marks as failing. Hovering a bar shows the op.
// No scripts, no external resources. Thread-safety: pure function.

#include <string>

#include "check/history.h"
#include "check/verdict.h"

namespace cairn::check {

// `verdict` may be null (no marks, no verdict text).
std::string RenderTimelineHtml(const History& h, const Verdict* verdict, const std::string& title);

}  // namespace cairn::check
