# Stepping through a build: a step's layer matched to its line (StepThrough) and what it
# changed, in the Step dock (StepSummary).
target_sources(stagecraft_ui PRIVATE
  stepsummary.cpp
  stepthrough.cpp
)
