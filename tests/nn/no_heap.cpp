#define BOOST_TEST_MODULE nn.no_heap
#include <boost/test/unit_test.hpp>

// A compiled model keeps every forward value and adjoint in arrays sized at compile time,
// so training does not touch the heap. Every global operator new and delete is replaced
// here by a counting version over malloc and free; after a first, warming-up step (which
// would reveal lazily allocated buffers, if any), 100 steps of value_and_grad + sgd_step and
// 100 fused steps (value_and_step) must allocate nothing. The counter is itself tested: it
// must see a vector grow.

#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <tapeless/nn.hpp>
#include <vector>

#include "support.hpp"

namespace {

std::atomic<std::size_t> allocations{0};
std::atomic<std::size_t> deallocations{0};

void* allocate(std::size_t size) {
  ++allocations;
  return std::malloc(size == 0 ? 1 : size);
}

void* allocate(std::size_t size, std::align_val_t alignment) {
  ++allocations;
  const auto align = static_cast<std::size_t>(alignment);
  // aligned_alloc wants a size that is a multiple of the alignment.
  const std::size_t rounded = (size == 0 ? 1 : size + align - 1) / align * align;
  return std::aligned_alloc(align, rounded == 0 ? align : rounded);
}

void release(void* p) noexcept {
  if (p == nullptr) return;
  ++deallocations;
  std::free(p);
}

void* checked(void* p) {
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

}  // namespace

// The replaceable global allocation functions ([new.delete]), every variant.
void* operator new(std::size_t n) { return checked(allocate(n)); }
void* operator new[](std::size_t n) { return checked(allocate(n)); }
void* operator new(std::size_t n, std::align_val_t a) { return checked(allocate(n, a)); }
void* operator new[](std::size_t n, std::align_val_t a) { return checked(allocate(n, a)); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return allocate(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return allocate(n); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return allocate(n, a);
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return allocate(n, a);
}
void operator delete(void* p) noexcept { release(p); }
void operator delete[](void* p) noexcept { release(p); }
void operator delete(void* p, std::size_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t) noexcept { release(p); }
void operator delete(void* p, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { release(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { release(p); }

namespace {

using namespace tapeless_test;
namespace nn = tapeless::nn;

// Stores through a volatile pointer: the allocation it points to escapes, so the compiler
// may not elide the new/delete pair (which it is allowed to do for an unobserved one).
void* volatile sink = nullptr;

/// Heap operations (allocations, deallocations) during f().
struct heap_use {
  std::size_t allocations = 0;
  std::size_t deallocations = 0;
};
template <class F>
heap_use count_heap_use(F&& f) {
  const std::size_t a = allocations.load(), d = deallocations.load();
  f();
  return {allocations.load() - a, deallocations.load() - d};
}

/// 100 training steps after one warm-up step; the models and sets are on the stack.
template <class Loss, class FillTargets>
heap_use training_steps(const Loss& loss, FillTargets fill_targets) {
  auto m = nn::compile<16, float>(loss);
  typename decltype(m)::parameters p;
  typename decltype(m)::gradients g;
  typename decltype(m)::inputs in;
  typename decltype(m)::targets tgt;
  random_source random{1};
  fill(p, random, -0.3, 0.3);
  fill(in, random, -1, 1);
  fill_targets(tgt, random);
  float checksum = m.value_and_grad(p, in, tgt, g);  // warm-up
  nn::sgd_step(p, g, 0.01f);
  const auto use = count_heap_use([&] {
    for (int step = 0; step < 100; ++step) {
      checksum += m.value_and_grad(p, in, tgt, g);
      nn::sgd_step(p, g, 0.01f);
      checksum += m.value_and_step(p, in, tgt, 0.01f);  // the fused training step
    }
    checksum += m.value(p, in, tgt);
  });
  BOOST_TEST(std::isfinite(checksum));
  return use;
}

constexpr auto x = nn::input<"x", 8>;
constexpr auto net =
    nn::dense<4, "fc3">(nn::tanh(nn::dense<32, "fc2">(nn::relu(nn::dense<32, "fc1">(x)))));

}  // namespace

BOOST_AUTO_TEST_CASE(the_counter_sees_allocations) {
  {
    const auto use = count_heap_use([] {
      std::vector<int> v;
      v.push_back(1);
      sink = v.data();
    });
    BOOST_TEST(use.allocations >= 1u);
    BOOST_TEST(use.deallocations == use.allocations);
  }
  {
    const auto use = count_heap_use([] {
      int* a = new int[3];
      sink = a;
      delete[] a;
    });
    BOOST_TEST(use.allocations == 1u);
    BOOST_TEST(use.deallocations == 1u);
  }
  {
    struct alignas(64) wide {
      char bytes[64];
    };
    std::uintptr_t address = 0;
    const auto use = count_heap_use([&] {
      auto* w = new wide;
      sink = w;
      address = reinterpret_cast<std::uintptr_t>(w);
      delete w;
      auto* n = new (std::nothrow) wide[2];
      sink = n;
      delete[] n;
    });
    BOOST_TEST(use.allocations == 2u);
    BOOST_TEST(use.deallocations == 2u);
    BOOST_TEST(address % 64 == 0u);
  }
}

BOOST_AUTO_TEST_CASE(mse_training_8_32_32_4) {
  const auto use = training_steps(nn::mse(net, nn::target<"t", 4>),
                                  [](auto& t, random_source& r) { fill(t, r, -1, 1); });
  BOOST_TEST(use.allocations == 0u);
  BOOST_TEST(use.deallocations == 0u);
}

BOOST_AUTO_TEST_CASE(softmax_cross_entropy_training_8_32_32_4) {
  const auto use = training_steps(nn::softmax_cross_entropy(net, nn::target<"t", 4>),
                                  [](auto& t, random_source& r) { fill_one_hot<4>(t, r); });
  BOOST_TEST(use.allocations == 0u);
  BOOST_TEST(use.deallocations == 0u);
}

BOOST_AUTO_TEST_CASE(gradcheck_allocates_nothing) {
  // gradcheck too works on the stack: its gradient set is a local array.
  auto m = nn::compile<4, double>(
      nn::bce_with_logits(nn::dense<1, "out">(nn::softplus(nn::dense<6, "hidden">(x))),
                          nn::target<"t", 1>) +
      nn::l2_penalty<1, 100>(nn::param<"hidden.weight", 6, 8>));
  decltype(m)::parameters p;
  decltype(m)::inputs in;
  decltype(m)::targets t;
  random_source random{2};
  fill(p, random, -1, 1);
  fill(in, random, -1, 1);
  fill(t, random, 0, 1);
  nn::gradcheck_report report;
  const auto use = count_heap_use([&] { report = nn::gradcheck(m, p, in, t); });
  BOOST_TEST(report.passed);
  BOOST_TEST(use.allocations == 0u);
}
