// A floating-point throughput probe for the benchmarks' "fraction of peak": independent FMA
// chains on this instruction set's widest float vectors (enough chains to cover FMA latency).
// Included by gemm_<isa>.cpp inside its namespace, after its SIMD traits.

namespace rp::kernels::RP_ISA {

// Runs `iters` rounds of 12 independent vector FMAs; returns the float operations executed.
// The accumulators are stored to `sink` so the work cannot be optimized away.
inline double fma_probe(int64_t iters, float* sink) {
    using VT = VecF32;
    typename VT::V acc[12];
    const typename VT::V x = VT::set1(0.999999f), y = VT::set1(1e-7f);
    for (int i = 0; i < 12; ++i) acc[i] = VT::set1(float(i));
    for (int64_t it = 0; it < iters; ++it) {
#pragma GCC unroll 12
        for (int i = 0; i < 12; ++i) acc[i] = VT::fma(acc[i], x, y);
    }
    for (int i = 1; i < 12; ++i) acc[0] = VT::add(acc[0], acc[i]);
    VT::store(sink, acc[0]);
    return 2.0 * VT::W * 12 * double(iters);
}

}  // namespace rp::kernels::RP_ISA
