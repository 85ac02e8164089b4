#include "kernel_selftest.h"

#include <cstring>
#include <vector>

#include "kernels/kernels.h"
#include "quant/dtype.h"
#include "quant/fp16.h"
#include "text_format.h"

namespace pipit::uart {
namespace {

// A small deterministic generator (splitmix64): the test needs no quality,
// only the same bytes on every platform.
struct Mix {
  uint64_t state;
  uint64_t Next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
};

// Fills a row of `type` (Q4_0 or Q8_0, 32 weights and one half scale per
// block) with random quants and scales in [2^-12, 2^-4): the integer sums
// use the full range, including -128 for Q8_0 quants.
void FillRow(DType type, int64_t n, Mix* mix, std::vector<uint8_t>* out) {
  const DTypeTraits& t = Traits(type);
  out->assign(RowBytes(t, n), 0);
  for (size_t off = 0; off < out->size(); off += static_cast<size_t>(t.block_bytes)) {
    const float scale = static_cast<float>(1 + mix->Next() % 255) * 0x1p-12f;
    const uint16_t half = Fp32ToFp16(scale);
    std::memcpy(out->data() + off, &half, 2);
    for (size_t k = 2; k < static_cast<size_t>(t.block_bytes); ++k) (*out)[off + k] = static_cast<uint8_t>(mix->Next());
  }
}

// Returns the number of rows whose dot differs from the reference.
int CompareDots(DType weight, const kernels::KernelSet& fast, const kernels::KernelSet& ref, int* rows) {
  Mix mix{0x5EED0000u + static_cast<uint64_t>(weight)};
  const int64_t lengths[] = {32, 64, 96, 192, 512, 2048};
  std::vector<uint8_t> row, act;
  int bad = 0;
  for (int64_t n : lengths) {
    FillRow(weight, n, &mix, &row);
    FillRow(DType::Q8_0, n, &mix, &act);
    const float a = fast.Dot(weight)(row.data(), act.data(), n);
    const float b = ref.Dot(weight)(row.data(), act.data(), n);
    if (std::memcmp(&a, &b, sizeof a) != 0) ++bad;
    ++*rows;
  }
  return bad;
}

}  // namespace

bool RunKernelSelfTest(std::string* report) {
  const kernels::KernelSet& fast = kernels::Kernels();
  const kernels::KernelSet& ref = *kernels::FindKernelSet("scalar");
  int rows = 0;
  const int bad_q4 = CompareDots(DType::Q4_0, fast, ref, &rows);
  const int bad_q8 = CompareDots(DType::Q8_0, fast, ref, &rows);
  const bool ok = bad_q4 == 0 && bad_q8 == 0;
  report->append(ok ? "ok" : "failed");
  report->append(" kernels=");
  report->append(fast.name);
  report->append(bad_q4 == 0 ? " q4_0=exact" : " q4_0=differs");
  report->append(bad_q8 == 0 ? " q8_0=exact" : " q8_0=differs");
  report->append(" rows=");
  AppendInt(report, rows);
  return ok;
}

}  // namespace pipit::uart
