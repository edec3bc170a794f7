// Instruction-set selection: what the CPU supports, what the build contains, and the
// RETROPROP_ISA override that forces a lower path (so tests can exercise every path).
#pragma once
#include <string>

namespace rp::dispatch {

enum class Isa : int { baseline = 0, avx2 = 1, avx512 = 2 };

const char* isa_name(Isa isa);
bool isa_compiled(Isa isa);   // this build contains kernels for it
bool isa_supported(Isa isa);  // compiled, and the CPU (and OS) can run it
Isa best_isa();               // the best supported path
// The path in use: best_isa(), or RETROPROP_ISA read once at first call. Throws
// std::invalid_argument for an unknown name; a known but unsupported name falls back to
// best_isa() and is reported by isa_warning().
Isa active_isa();
const std::string& isa_warning();
void set_active_isa(Isa isa);  // throws std::invalid_argument when unsupported
// For kernel families built for baseline and AVX2 only (optimizers, activations): whether the
// active path is above baseline, so their AVX2 build runs (AVX-512 machines included).
bool use_avx2_kernels();

}  // namespace rp::dispatch
