// Workflows of the configuration resources: finishing user, user group and
// reserved node changes once the nodes carry them.
#pragma once

#include "workflows/engine.h"

namespace keyfleet::workflows {

void add_configuration_kinds(Engine& engine);

}  // namespace keyfleet::workflows
