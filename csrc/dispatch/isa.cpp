// CPU feature detection via cpuid/xgetbv (x86-64); other architectures run the baseline path.
#include "dispatch/isa.h"

#include <cstdlib>
#include <stdexcept>

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#define RP_X86 1
#endif

namespace rp::dispatch {
namespace {

#ifdef RP_X86
unsigned long long xgetbv0() {
    unsigned eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return (static_cast<unsigned long long>(edx) << 32) | eax;
}
#endif

bool cpu_has(Isa isa) {
#ifdef RP_X86
    if (isa == Isa::baseline) return true;
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
    const bool osxsave = c & (1u << 27), avx = c & (1u << 28), fma = c & (1u << 12);
    if (!(osxsave && avx && fma)) return false;
    const unsigned long long xcr0 = xgetbv0();
    if ((xcr0 & 0x6) != 0x6) return false;  // OS saves XMM and YMM state
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
    const bool avx2 = b & (1u << 5);
    if (isa == Isa::avx2) return avx2;
    const bool f = b & (1u << 16), dq = b & (1u << 17), bw = b & (1u << 30), vl = b & (1u << 31);
    return avx2 && f && dq && bw && vl && (xcr0 & 0xe6) == 0xe6;  // OS saves ZMM state
#else
    return isa == Isa::baseline;
#endif
}

Isa parse(const char* name) {
    const std::string s(name);
    if (s == "baseline") return Isa::baseline;
    if (s == "avx2") return Isa::avx2;
    if (s == "avx512") return Isa::avx512;
    throw std::invalid_argument("RETROPROP_ISA='" + s + "' is not one of baseline, avx2, avx512");
}

struct State {
    Isa active;
    std::string warning;
    State() {
        active = best_isa();
        if (const char* env = std::getenv("RETROPROP_ISA"); env && *env) {
            const Isa want = parse(env);
            if (isa_supported(want)) {
                active = want;
            } else {
                warning = std::string("RETROPROP_ISA=") + env + " is not supported by this CPU or build; using " + isa_name(active);
            }
        }
    }
};

State& state() {
    static State s;
    return s;
}

}  // namespace

const char* isa_name(Isa isa) {
    switch (isa) {
        case Isa::baseline: return "baseline";
        case Isa::avx2: return "avx2";
        case Isa::avx512: return "avx512";
    }
    return "?";
}

bool isa_compiled(Isa isa) {
    switch (isa) {
        case Isa::baseline: return true;
#ifdef RP_HAVE_AVX2
        case Isa::avx2: return true;
#endif
#ifdef RP_HAVE_AVX512
        case Isa::avx512: return true;
#endif
        default: return false;
    }
}

bool isa_supported(Isa isa) { return isa_compiled(isa) && cpu_has(isa); }

Isa best_isa() {
    for (Isa isa : {Isa::avx512, Isa::avx2})
        if (isa_supported(isa)) return isa;
    return Isa::baseline;
}

Isa active_isa() { return state().active; }
const std::string& isa_warning() { return state().warning; }

bool use_avx2_kernels() {
#ifdef RP_HAVE_AVX2
    return active_isa() != Isa::baseline;
#else
    return false;
#endif
}

void set_active_isa(Isa isa) {
    if (!isa_supported(isa)) throw std::invalid_argument(std::string("instruction set ") + isa_name(isa) + " is not supported here");
    state().active = isa;
}

}  // namespace rp::dispatch
