// Least privilege after start-up: once the programs are attached, the maps
// are open and the port is bound, the daemon needs almost nothing. Map reads
// and writes go through the file descriptors it already holds.
#pragma once

#include <vector>

#include "util/error.h"

namespace execmond {

// Keeps only `keep` (CAP_* numbers) in the effective and permitted sets,
// clears the inheritable and ambient sets and, when CAP_SETPCAP allows it,
// the bounding set. Says why when it cannot.
Status drop_capabilities_except(const std::vector<int>& keep);

// The effective capability set of this process, as /proc/self/status shows it.
unsigned long long effective_capabilities();

}  // namespace execmond
