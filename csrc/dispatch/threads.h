// Thread-count control (OpenMP), under torch's names.
#pragma once

namespace rp::dispatch {
void set_num_threads(int n);  // throws std::invalid_argument for n < 1
int get_num_threads();
bool have_openmp();
}  // namespace rp::dispatch
