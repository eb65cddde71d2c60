// BLS12-381 operation costs: SkToPk, Sign, Verify, hash_to_G2 and decoding.
// bench/compare_bls compares these figures with blst and noble.
#include <benchmark/benchmark.h>

#include "crypto/bls.h"
#include "crypto/hash_to_curve.h"
#include "crypto/pairing.h"

namespace pkm::crypto {
namespace {

const Bytes kMessage(32, 0xab);

SecretKey bench_key() { return SecretKey::from_bytes(Bytes(32, 0x37)).value(); }

void BM_SkToPk(benchmark::State& state) {
  SecretKey key = bench_key();
  for (auto _ : state) benchmark::DoNotOptimize(key.public_key());
}
BENCHMARK(BM_SkToPk)->Unit(benchmark::kMicrosecond);

void BM_Sign(benchmark::State& state) {
  SecretKey key = bench_key();
  for (auto _ : state) benchmark::DoNotOptimize(key.sign(kMessage));
}
BENCHMARK(BM_Sign)->Unit(benchmark::kMicrosecond);

void BM_Verify(benchmark::State& state) {
  SecretKey key = bench_key();
  PublicKey public_key = key.public_key();
  Signature signature = key.sign(kMessage);
  for (auto _ : state) {
    bool ok = verify(public_key, kMessage, signature);
    if (!ok) state.SkipWithError("signature did not verify");
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_Verify)->Unit(benchmark::kMicrosecond);

void BM_HashToG2(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(hash_to_g2(kMessage, ByteView(kBlsDst)));
  }
}
BENCHMARK(BM_HashToG2)->Unit(benchmark::kMicrosecond);

void BM_PublicKeyDecode(benchmark::State& state) {
  auto bytes = bench_key().public_key().to_bytes();
  for (auto _ : state) {
    benchmark::DoNotOptimize(PublicKey::from_bytes(ByteView(bytes.data(), 48)));
  }
}
BENCHMARK(BM_PublicKeyDecode)->Unit(benchmark::kMicrosecond);

void BM_SignatureDecode(benchmark::State& state) {
  auto bytes = bench_key().sign(kMessage).to_bytes();
  for (auto _ : state) {
    benchmark::DoNotOptimize(Signature::from_bytes(ByteView(bytes.data(), 96)));
  }
}
BENCHMARK(BM_SignatureDecode)->Unit(benchmark::kMicrosecond);

void BM_FpMultiply(benchmark::State& state) {
  Fp a = Fp::from_uint64(3).inverse();
  Fp b = Fp::from_uint64(7).inverse();
  for (auto _ : state) {
    a = a * b;
    benchmark::DoNotOptimize(a);
  }
}
BENCHMARK(BM_FpMultiply)->Unit(benchmark::kNanosecond);

void BM_Pairing(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(pairing(g1_generator(), g2_generator()));
  }
}
BENCHMARK(BM_Pairing)->Unit(benchmark::kMicrosecond);

void BM_MillerLoop(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(miller_loop({{g1_generator(), g2_generator()}}));
  }
}
BENCHMARK(BM_MillerLoop)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace pkm::crypto

BENCHMARK_MAIN();
