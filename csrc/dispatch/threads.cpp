// OpenMP thread-pool size. Kernels never split the K dimension across threads and block by
// shape alone, so results are bit-identical for any thread count.
#include "dispatch/threads.h"

#include <stdexcept>
#include <string>
#ifdef _OPENMP
#include <omp.h>
#endif

namespace rp::dispatch {

void set_num_threads(int n) {
    if (n < 1) throw std::invalid_argument("set_num_threads: expected a positive number of threads, got " + std::to_string(n));
#ifdef _OPENMP
    omp_set_num_threads(n);
#endif
}

int get_num_threads() {
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

bool have_openmp() {
#ifdef _OPENMP
    return true;
#else
    return false;
#endif
}

}  // namespace rp::dispatch
