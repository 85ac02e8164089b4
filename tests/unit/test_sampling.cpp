// Tests for engine/sampling: the RNG, each truncation step, penalties, and
// the statistical behaviour of the whole chain. Expected values are computed
// here from first principles (softmax, sorting), never by the sampler.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

#include "sampling/candidates.h"
#include "sampling/penalties.h"
#include "sampling/rng.h"
#include "sampling/sampler.h"

namespace pipit {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

SamplingParams Plain(float temperature = 1.0f) {
  SamplingParams p;
  p.temperature = temperature;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0.0f;
  return p;
}

std::vector<double> Softmax(const std::vector<float>& logits, double temperature = 1.0) {
  double max_l = -INFINITY;
  for (float l : logits) max_l = std::max(max_l, static_cast<double>(l));
  std::vector<double> p(logits.size());
  double sum = 0;
  for (size_t i = 0; i < logits.size(); ++i) {
    p[i] = logits[i] == kNegInf ? 0.0 : std::exp((logits[i] - max_l) / temperature);
    sum += p[i];
  }
  for (double& x : p) x /= sum;
  return p;
}

std::vector<float> LogitsFromProbs(const std::vector<double>& probs) {
  std::vector<float> l;
  for (double p : probs) l.push_back(static_cast<float>(std::log(p)));
  return l;
}

// Samples n times from a fresh copy of `logits` each time, returns counts.
std::vector<int> Histogram(Sampler* s, const std::vector<float>& logits, int n) {
  std::vector<int> counts(logits.size(), 0);
  std::vector<float> work;
  for (int i = 0; i < n; ++i) {
    work = logits;
    const int32_t t = s->Sample(work.data());
    EXPECT_GE(t, 0);
    if (t >= 0) counts[t]++;
  }
  return counts;
}

// Pearson chi-square of observed counts against expected probabilities over
// the buckets with p > 0; buckets with p == 0 must be empty.
double ChiSquare(const std::vector<int>& counts, const std::vector<double>& p, int n) {
  double chi2 = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == 0) {
      EXPECT_EQ(counts[i], 0) << "token " << i << " has probability 0";
      continue;
    }
    const double expected = p[i] * n;
    chi2 += (counts[i] - expected) * (counts[i] - expected) / expected;
  }
  return chi2;
}

// Upper 1e-4 tail of chi-square, Wilson-Hilferty approximation (good to a
// few percent for df >= 3, far tighter than this test needs).
double ChiSquareCritical(int df) {
  const double z = 3.719;  // standard normal 1 - 1e-4 quantile
  const double a = 2.0 / (9.0 * df);
  const double c = 1 - a + z * std::sqrt(a);
  return df * c * c * c;
}

// ---------------------------------------------------------------- RNG

TEST(Xoshiro256, MatchesIndependentReference) {
  // Computed with an independent Python implementation of splitmix64 +
  // xoshiro256** (Blackman & Vigna reference algorithm), seed 42.
  Xoshiro256 rng(42);
  EXPECT_EQ(rng.Next(), 0x15780b2e0c2ec716ull);
  EXPECT_EQ(rng.Next(), 0x6104d9866d113a7eull);
  EXPECT_EQ(rng.Next(), 0xae17533239e499a1ull);
  EXPECT_EQ(rng.Next(), 0xecb8ad4703b360a1ull);
  rng.Seed(42);
  EXPECT_EQ(rng.UniformDouble(), 0.08386297105988216);
}

TEST(Xoshiro256, UniformRange) {
  Xoshiro256 rng(7);
  double sum = 0;
  for (int i = 0; i < 100000; ++i) {
    const double u = rng.UniformDouble();
    const float f = rng.UniformFloat();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    ASSERT_GE(f, 0.0f);
    ASSERT_LT(f, 1.0f);
    sum += u;
  }
  EXPECT_NEAR(sum / 100000, 0.5, 0.005);
}

// ---------------------------------------------------------------- greedy

TEST(Sampler, GreedyPicksArgmax) {
  Sampler s(Plain(0.0f), 6);
  std::vector<float> l = {0.1f, -3.0f, 2.5f, 2.4f, -0.5f, 1.0f};
  EXPECT_EQ(s.Sample(l.data()), 2);
}

TEST(Sampler, GreedyTiesGoToLowestId) {
  Sampler s(Plain(0.0f), 5);
  std::vector<float> l = {1.0f, 3.0f, 0.0f, 3.0f, 3.0f};
  EXPECT_EQ(s.Sample(l.data()), 1);
}

TEST(Sampler, GreedySkipsMaskedAndNaN) {
  Sampler s(Plain(0.0f), 4);
  std::vector<float> l = {std::nanf(""), kNegInf, -5.0f, kNegInf};
  EXPECT_EQ(s.Sample(l.data()), 2);
}

TEST(Sampler, TopK1IsGreedy) {
  std::mt19937 gen(1);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  SamplingParams p = Plain(1.5f);
  p.top_k = 1;
  Sampler s(p, 1000);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<float> l(1000);
    for (float& x : l) x = normal(gen);
    const int32_t expected =
        static_cast<int32_t>(std::max_element(l.begin(), l.end()) - l.begin());
    EXPECT_EQ(s.Sample(l.data()), expected);
  }
}

// ---------------------------------------------------------------- masking

TEST(Sampler, AllMaskedReturnsMinusOne) {
  for (float temp : {0.0f, 1.0f}) {
    Sampler s(Plain(temp), 3);
    std::vector<float> l = {kNegInf, kNegInf, kNegInf};
    EXPECT_EQ(s.Sample(l.data()), -1);
  }
  Sampler s(Plain(), 3);
  EXPECT_EQ(s.Sample(nullptr), -1);
}

TEST(Sampler, MaskedTokensAreNeverSampled) {
  // High temperature and no truncation: every unmasked token is likely.
  Sampler s(Plain(5.0f), 64);
  std::vector<float> l(64);
  for (int i = 0; i < 64; ++i) l[i] = (i % 2 == 0) ? kNegInf : 0.01f * i;
  l[0] = kNegInf;  // the would-be favourite stays masked
  auto counts = Histogram(&s, l, 20000);
  for (int i = 0; i < 64; i += 2) EXPECT_EQ(counts[i], 0) << "masked token " << i;
  for (int i = 1; i < 64; i += 2) EXPECT_GT(counts[i], 0) << "token " << i;
}

TEST(Sampler, PositiveInfinityDominates) {
  Sampler s(Plain(1.0f), 4);
  for (int i = 0; i < 100; ++i) {
    std::vector<float> l = {0.0f, INFINITY, 5.0f, kNegInf};
    EXPECT_EQ(s.Sample(l.data()), 1);
  }
}

// ---------------------------------------------------------------- seeding

std::vector<int32_t> Generate(Sampler* s, int n, uint32_t logit_seed) {
  std::mt19937 gen(logit_seed);
  std::uniform_real_distribution<float> uni(-2.0f, 2.0f);
  std::vector<int32_t> out;
  std::vector<float> l(500);
  for (int i = 0; i < n; ++i) {
    for (float& x : l) x = uni(gen);
    const int32_t t = s->Sample(l.data());
    s->Accept(t);
    out.push_back(t);
  }
  return out;
}

TEST(Sampler, SameSeedSameSequence) {
  SamplingParams p;  // defaults: top-k 40, top-p 0.9, temp 0.8
  p.repeat_penalty = 1.1f;
  p.seed = 1234;
  Sampler a(p, 500), b(p, 500);
  const auto seq_a = Generate(&a, 200, 9);
  EXPECT_EQ(seq_a, Generate(&b, 200, 9));
  a.Reset();  // clears the history and re-seeds
  EXPECT_EQ(seq_a, Generate(&a, 200, 9));
}

TEST(Sampler, DifferentSeedDifferentSequence) {
  SamplingParams p;
  p.seed = 1;
  Sampler a(p, 500);
  p.seed = 2;
  Sampler b(p, 500);
  EXPECT_NE(Generate(&a, 200, 9), Generate(&b, 200, 9));
}

// ---------------------------------------------------------------- statistics

TEST(Sampler, FrequenciesMatchSoftmax) {
  const std::vector<float> l = {1.0f, 0.5f, 2.0f, -1.0f, 0.0f, 1.5f, -0.3f, 0.8f, -2.0f, 0.2f};
  constexpr int kN = 200000;
  Sampler s(Plain(1.0f), static_cast<int>(l.size()));
  const auto counts = Histogram(&s, l, kN);
  const auto p = Softmax(l);
  EXPECT_LT(ChiSquare(counts, p, kN), ChiSquareCritical(9));
  // And per bucket: within 5 standard errors.
  for (size_t i = 0; i < l.size(); ++i) {
    const double se = std::sqrt(p[i] * (1 - p[i]) / kN);
    EXPECT_NEAR(static_cast<double>(counts[i]) / kN, p[i], 5 * se) << "token " << i;
  }
}

TEST(Sampler, TemperatureSharpensAsSoftmaxOfScaledLogits) {
  const std::vector<float> l = {1.0f, 0.5f, 2.0f, -1.0f, 0.0f, 1.5f};
  constexpr int kN = 100000;
  Sampler s(Plain(0.5f), static_cast<int>(l.size()));
  const auto counts = Histogram(&s, l, kN);
  EXPECT_LT(ChiSquare(counts, Softmax(l, 0.5), kN), ChiSquareCritical(5));
}

TEST(Sampler, TopKFrequenciesAreRenormalizedSoftmax) {
  const std::vector<float> l = {1.0f, 0.5f, 2.0f, -1.0f, 0.0f, 1.5f, 1.2f};
  SamplingParams p = Plain(1.0f);
  p.top_k = 3;  // keeps ids 2 (2.0), 5 (1.5), 6 (1.2)
  Sampler s(p, static_cast<int>(l.size()));
  constexpr int kN = 100000;
  const auto counts = Histogram(&s, l, kN);
  std::vector<float> masked = l;
  for (int i : {0, 1, 3, 4}) masked[i] = kNegInf;
  EXPECT_LT(ChiSquare(counts, Softmax(masked), kN), ChiSquareCritical(2));
}

// ---------------------------------------------------------------- truncation

std::vector<int32_t> LiveIds(const CandidateList& c) {
  std::vector<int32_t> ids;
  for (size_t i = 0; i < c.size; ++i) ids.push_back(c.items[i].id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

TEST(Truncation, TopKKeepsTheKBestWithIdTieBreak) {
  const std::vector<float> l = {1.0f, 5.0f, 3.0f, 5.0f, 3.0f, 0.0f};
  CandidateList c;
  CollectCandidates(l.data(), 6, &c);
  KeepTopK(&c, 3);
  ASSERT_EQ(c.size, 3u);
  EXPECT_TRUE(c.sorted);
  EXPECT_EQ(c.items[0].id, 1);
  EXPECT_EQ(c.items[1].id, 3);
  EXPECT_EQ(c.items[2].id, 2);  // 2 and 4 tie at 3.0: the lower id wins
}

TEST(Truncation, TopPKeepsTheMinimalSet) {
  // Probabilities 0.5, 0.3, 0.15, 0.05 spread over shuffled ids.
  const std::vector<double> probs = {0.15, 0.5, 0.05, 0.3};
  const auto l = LogitsFromProbs(probs);
  struct Case { float p; std::vector<int32_t> kept; };
  for (const Case& k : {Case{0.4f, {1}}, Case{0.75f, {1, 3}}, Case{0.85f, {0, 1, 3}},
                        Case{0.99f, {0, 1, 2, 3}}, Case{0.0f, {1}}}) {
    CandidateList c;
    CollectCandidates(l.data(), 4, &c);
    KeepTopP(&c, k.p);
    EXPECT_EQ(LiveIds(c), k.kept) << "top_p " << k.p;
  }
}

TEST(Truncation, TopPOnLargeVocabularyMatchesFullSort) {
  // A flat-ish 128k distribution whose nucleus is thousands of tokens wide,
  // so the incremental partial sort has to grow several times.
  constexpr int kVocab = 128 * 1024;
  std::mt19937 gen(3);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> l(kVocab);
  for (float& x : l) x = normal(gen);
  for (float top_p : {0.05f, 0.5f, 0.95f}) {
    // Reference: full sort, accumulate normalized probabilities.
    const auto p = Softmax(l);
    std::vector<int32_t> order(kVocab);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
      return l[a] != l[b] ? l[a] > l[b] : a < b;
    });
    double cum = 0;
    size_t n_keep = 0;
    while (n_keep < order.size()) {
      cum += p[order[n_keep++]];
      if (cum >= top_p) break;
    }
    std::vector<int32_t> expected(order.begin(), order.begin() + n_keep);
    std::sort(expected.begin(), expected.end());

    CandidateList c;
    CollectCandidates(l.data(), kVocab, &c);
    KeepTopP(&c, top_p);
    // Summation order differs from the reference, so the boundary token may
    // differ: the sets may differ only by order[n_keep - 1] or order[n_keep].
    const auto got = LiveIds(c);
    EXPECT_GT(n_keep, top_p > 0.4f ? 256u : 0u);  // the wide cases really are wide
    std::vector<int32_t> only_got, only_expected;
    std::set_difference(got.begin(), got.end(), expected.begin(), expected.end(),
                        std::back_inserter(only_got));
    std::set_difference(expected.begin(), expected.end(), got.begin(), got.end(),
                        std::back_inserter(only_expected));
    EXPECT_LE(only_got.size() + only_expected.size(), 1u) << "top_p " << top_p;
    for (int32_t id : only_got) EXPECT_EQ(id, order[n_keep]);
    for (int32_t id : only_expected) EXPECT_EQ(id, order[n_keep - 1]);
  }
}

TEST(Truncation, MinPIsRelativeToTheMaxProbability) {
  // p = 0.4, 0.3, 0.2, 0.1: min_p 0.6 keeps p >= 0.24.
  const auto l = LogitsFromProbs({0.1, 0.4, 0.2, 0.3});
  CandidateList c;
  CollectCandidates(l.data(), 4, &c);
  KeepMinP(&c, 0.6f);
  EXPECT_EQ(LiveIds(c), (std::vector<int32_t>{1, 3}));

  CollectCandidates(l.data(), 4, &c);
  KeepMinP(&c, 0.2f);  // keeps p >= 0.08: everything
  EXPECT_EQ(LiveIds(c), (std::vector<int32_t>{0, 1, 2, 3}));

  CollectCandidates(l.data(), 4, &c);
  KeepMinP(&c, 1.0f);  // only the max
  EXPECT_EQ(LiveIds(c), (std::vector<int32_t>{1}));
}

TEST(Sampler, MinPNeverSamplesBelowThreshold) {
  const auto l = LogitsFromProbs({0.1, 0.4, 0.2, 0.3});
  SamplingParams p = Plain(1.0f);
  p.min_p = 0.6f;
  Sampler s(p, 4);
  constexpr int kN = 50000;
  const auto counts = Histogram(&s, l, kN);
  EXPECT_LT(ChiSquare(counts, {0.0, 4.0 / 7, 0.0, 3.0 / 7}, kN), ChiSquareCritical(1) + 5);
}

TEST(Sampler, TopPNeverSamplesOutsideTheNucleus) {
  const auto l = LogitsFromProbs({0.15, 0.5, 0.05, 0.3});
  SamplingParams p = Plain(1.0f);
  p.top_p = 0.75f;
  Sampler s(p, 4);
  constexpr int kN = 50000;
  const auto counts = Histogram(&s, l, kN);
  EXPECT_EQ(counts[0], 0);
  EXPECT_EQ(counts[2], 0);
  EXPECT_NEAR(static_cast<double>(counts[1]) / kN, 0.625, 0.01);  // 0.5 / 0.8
}

TEST(Sampler, TopPWideNucleusFrequencies) {
  // 300 tokens with a nucleus of ~100: exercises the quickselect path, then
  // checks the draw against the softmax renormalized over the nucleus.
  std::mt19937 gen(11);
  std::uniform_real_distribution<float> uni(-3.0f, 3.0f);
  std::vector<float> l(300);
  for (float& x : l) x = uni(gen);
  const float top_p = 0.6f;
  const auto p_full = Softmax(l);
  std::vector<int32_t> order(l.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return l[a] > l[b]; });
  double cum = 0;
  std::vector<float> nucleus(l.size(), kNegInf);
  size_t n_keep = 0;
  for (int32_t id : order) {
    nucleus[id] = l[id];
    ++n_keep;
    cum += p_full[id];
    if (cum >= top_p) break;
  }
  ASSERT_GT(n_keep, 40u);
  SamplingParams p = Plain(1.0f);
  p.top_p = top_p;
  Sampler s(p, static_cast<int>(l.size()));
  constexpr int kN = 200000;
  const auto counts = Histogram(&s, l, kN);
  EXPECT_LT(ChiSquare(counts, Softmax(nucleus), kN),
            ChiSquareCritical(static_cast<int>(n_keep) - 1));
}

// ---------------------------------------------------------------- penalties

TEST(Penalties, RepeatPenaltyDividesPositiveAndMultipliesNegative) {
  SamplingParams p = Plain(0.0f);
  p.repeat_penalty = 2.0f;
  Sampler s(p, 5);
  s.Accept(0);
  s.Accept(1);
  s.Accept(1);
  std::vector<float> l = {3.0f, -1.0f, 2.0f, -0.5f, kNegInf};
  s.Sample(l.data());
  EXPECT_FLOAT_EQ(l[0], 1.5f);    // 3 / 2
  EXPECT_FLOAT_EQ(l[1], -2.0f);   // -1 * 2, once although it occurred twice
  EXPECT_FLOAT_EQ(l[2], 2.0f);    // not in history
  EXPECT_FLOAT_EQ(l[3], -0.5f);
  EXPECT_EQ(l[4], kNegInf);
}

TEST(Penalties, PresenceAndFrequencyFollowOpenAI) {
  SamplingParams p = Plain(0.0f);
  p.presence_penalty = 0.5f;
  p.frequency_penalty = 0.25f;
  Sampler s(p, 4);
  for (int32_t t : {2, 2, 2, 1}) s.Accept(t);
  std::vector<float> l = {1.0f, 1.0f, 1.0f, 1.0f};
  s.Sample(l.data());
  EXPECT_FLOAT_EQ(l[0], 1.0f);
  EXPECT_FLOAT_EQ(l[1], 1.0f - 0.5f - 0.25f);
  EXPECT_FLOAT_EQ(l[2], 1.0f - 0.5f - 3 * 0.25f);
  EXPECT_FLOAT_EQ(l[3], 1.0f);
}

TEST(Penalties, CombinedRepeatThenSubtract) {
  SamplingParams p = Plain(0.0f);
  p.repeat_penalty = 1.25f;
  p.presence_penalty = 0.1f;
  p.frequency_penalty = 0.2f;
  Sampler s(p, 2);
  s.Accept(0);
  s.Accept(0);
  std::vector<float> l = {5.0f, 0.0f};
  s.Sample(l.data());
  EXPECT_FLOAT_EQ(l[0], 5.0f / 1.25f - 2 * 0.2f - 0.1f);
}

TEST(Penalties, WindowForgetsOldTokens) {
  PenaltyWindow w(10, 3);
  for (int32_t t : {7, 1, 2, 3}) w.Accept(t);  // 7 has left the window
  EXPECT_EQ(w.Count(7), 0);
  EXPECT_EQ(w.Count(1), 1);
  std::vector<float> l(10, 1.0f);
  w.Apply(l.data(), 1.0f, 1.0f, 0.0f);
  for (int i = 0; i < 10; ++i) {
    EXPECT_FLOAT_EQ(l[i], (i >= 1 && i <= 3) ? 0.0f : 1.0f) << i;
  }
  // Long run against a naive recount of the last 3 tokens.
  std::mt19937 gen(5);
  std::vector<int32_t> history = {7, 1, 2, 3};
  for (int i = 0; i < 1000; ++i) {
    const int32_t t = static_cast<int32_t>(gen() % 10);
    w.Accept(t);
    history.push_back(t);
    for (int32_t v = 0; v < 10; ++v) {
      int naive = 0;
      for (size_t j = history.size() >= 3 ? history.size() - 3 : 0; j < history.size(); ++j) {
        naive += history[j] == v;
      }
      ASSERT_EQ(w.Count(v), naive) << "step " << i << " token " << v;
    }
  }
}

TEST(Penalties, UnboundedAndDisabledWindows) {
  PenaltyWindow all(4, -1);
  for (int i = 0; i < 500; ++i) all.Accept(i % 2);
  EXPECT_EQ(all.Count(0), 250);
  EXPECT_EQ(all.Count(1), 250);
  all.Reset();
  EXPECT_EQ(all.Count(0), 0);

  SamplingParams p = Plain(0.0f);
  p.penalty_last_n = 0;
  p.repeat_penalty = 3.0f;
  Sampler s(p, 2);
  s.Accept(0);
  std::vector<float> l = {2.0f, 1.0f};
  EXPECT_EQ(s.Sample(l.data()), 0);
  EXPECT_FLOAT_EQ(l[0], 2.0f);
}

TEST(Penalties, RepeatPenaltyChangesGreedyChoice) {
  SamplingParams p = Plain(0.0f);
  p.repeat_penalty = 1.5f;
  Sampler s(p, 3);
  std::vector<float> l = {3.0f, 2.5f, 0.0f};
  std::vector<float> work = l;
  const int32_t first = s.Sample(work.data());
  EXPECT_EQ(first, 0);
  s.Accept(first);
  work = l;
  EXPECT_EQ(s.Sample(work.data()), 1);  // 3 / 1.5 = 2 < 2.5
  s.Reset();
  work = l;
  EXPECT_EQ(s.Sample(work.data()), 0);
}

TEST(Penalties, OutOfRangeTokensAreIgnored) {
  PenaltyWindow w(4, 8);
  w.Accept(-1);
  w.Accept(4);
  w.Accept(100000);
  for (int32_t t = 0; t < 4; ++t) EXPECT_EQ(w.Count(t), 0);
}

}  // namespace
}  // namespace pipit
