#ifndef TAPELESS_EMBEDDED_SEMIHOSTING_HPP
#define TAPELESS_EMBEDDED_SEMIHOSTING_HPP

// Output and exit through Arm semihosting (a debugger, or QEMU with -semihosting-config
// enable=on), called directly: newlib's printf alone would be larger than the network.

#include <cstddef>
#include <cstdint>

namespace semihosting {

enum class operation : std::uint32_t { write0 = 0x04, exit = 0x18 };

inline std::uint32_t call(operation op, const void* argument) {
  std::uint32_t result;
  asm volatile("mov r0, %1\n\tmov r1, %2\n\tbkpt 0xab\n\tmov %0, r0"
               : "=r"(result)
               : "r"(static_cast<std::uint32_t>(op)), "r"(argument)
               : "r0", "r1", "memory");
  return result;
}

/// Writes a NUL-terminated string to the host's console.
inline void write(const char* text) { call(operation::write0, text); }

/// Ends the program: QEMU exits with status 0 on success, 1 otherwise.
[[noreturn]] inline void exit(bool success) {
  // On 32-bit Arm the argument is the reason itself: ADP_Stopped_ApplicationExit, or
  // ADP_Stopped_RunTimeErrorUnknown.
  const std::uintptr_t reason = success ? 0x20026 : 0x20023;
  call(operation::exit, reinterpret_cast<const void*>(reason));
  for (;;) {
  }
}

/// Writes the decimal digits of `value`, at least `min_digits` of them (leading zeros).
inline void write_digits(std::uint32_t value, std::size_t min_digits = 1) {
  char reversed[10];
  std::size_t count = 0;
  for (; count < min_digits || value != 0; value /= 10) reversed[count++] = static_cast<char>('0' + value % 10);
  char text[11];
  for (std::size_t i = 0; i < count; ++i) text[i] = reversed[count - 1 - i];
  text[count] = '\0';
  write(text);
}

/// Writes `value` as [-]integer.dddddd (six decimals, magnitudes below 4000), without
/// printf, and in 32-bit integers: 64-bit ones would pull in soft-float double conversions.
inline void write(float value) {
  if (value < 0) {
    write("-");
    value = -value;
  }
  const std::uint32_t micros = value < 4000.0f ? static_cast<std::uint32_t>(value * 1e6f + 0.5f) : 3999999999u;
  write_digits(micros / 1000000);
  write(".");
  write_digits(micros % 1000000, 6);
}

}  // namespace semihosting

#endif
