// The build plan as text, one line per stage and step, for `stagecraft` output, logs and
// the plan tests' expected files: what each step is and what its cache key reads.
#pragma once

#include <QString>

namespace stagecraft {

class BuildPlan;

class PlanFormat
{
public:
    // stage 0 "build" from debian:bookworm
    //   1 RUN apt-get update
    //   3 COPY . . <- context .
    // stage 1 from scratch, target
    //   1 COPY --from=build /app /app <- stage 0
    // build order: 0 1
    static QString text(const BuildPlan &plan);
};

} // namespace stagecraft
