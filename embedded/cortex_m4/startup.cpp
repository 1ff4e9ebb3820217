// Start-up of the MPS2 AN386 board (Cortex-M4F): the vector table, the reset handler that
// enables the FPU, copies .data, zeroes .bss and runs the static constructors, and fault
// handlers that report through semihosting. The symbols come from mps2_an386.ld.

#include <cstdint>

#include "semihosting.hpp"

extern "C" {
extern std::uint32_t __stack_top;
extern std::uint32_t __data_load, __data_start, __data_end, __bss_start, __bss_end;
extern void (*__init_array_start[])();
extern void (*__init_array_end[])();
[[noreturn]] void reset_handler();
void fault_handler();
}

// The program: run() rather than main(), which C++ forbids calling.
int run();

namespace {

struct vector_table {
  std::uint32_t* initial_stack;
  void (*handlers[15])();  // reset, NMI, HardFault, ..., SysTick
};

// Word loops through volatile pointers: g++ would otherwise turn them into calls to
// memcpy and memset, 470 bytes of newlib for a few words of .data.
[[gnu::noinline]] void initialize_memory() {
  const std::uint32_t* from = &__data_load;
  for (volatile std::uint32_t* to = &__data_start; to < &__data_end;) *to++ = *from++;
  for (volatile std::uint32_t* to = &__bss_start; to < &__bss_end;) *to++ = 0;
  for (auto* init = __init_array_start; init < __init_array_end; ++init) (*init)();
}

}  // namespace

[[gnu::used, gnu::section(".vectors")]] const vector_table vectors = {
    &__stack_top,
    {reset_handler, fault_handler, fault_handler, fault_handler, fault_handler, fault_handler,
     nullptr, nullptr, nullptr, nullptr, fault_handler, fault_handler, nullptr, fault_handler,
     fault_handler}};

extern "C" void reset_handler() {
  // Full access to coprocessors 10 and 11 (the FPU) before the first floating-point
  // instruction: CPACR, then barriers so that the next instruction sees it.
  *reinterpret_cast<volatile std::uint32_t*>(0xE000ED88) |= 0xFu << 20;
  asm volatile("dsb\n\tisb" ::: "memory");
  initialize_memory();
  semihosting::exit(run() == 0);
}

extern "C" void fault_handler() {
  semihosting::write("fault\n");
  semihosting::exit(false);
}
