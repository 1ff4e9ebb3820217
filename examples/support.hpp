#ifndef TAPELESS_EXAMPLES_SUPPORT_HPP
#define TAPELESS_EXAMPLES_SUPPORT_HPP

// What the teaching examples share and what is not their lesson: reading command-line
// options, writing a CSV file and drawing it with gnuplot.

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace example {

/// The command line: `--name value` options and `--name` flags, in any order.
class command_line {
 public:
  command_line(int argc, char** argv) : argc_(argc), argv_(argv) {}

  /// Whether the flag `--name` was given.
  bool flag(std::string_view name) const {
    for (int i = 1; i < argc_; ++i)
      if (argv_[i] == name) return true;
    return false;
  }

  /// The text after `--name`, or `fallback`.
  std::string text(std::string_view name, std::string fallback) const {
    for (int i = 1; i + 1 < argc_; ++i)
      if (argv_[i] == name) return argv_[i + 1];
    return fallback;
  }

  /// The number after `--name`, or `fallback`.
  double number(std::string_view name, double fallback) const {
    const std::string t = text(name, "");
    return t.empty() ? fallback : std::strtod(t.c_str(), nullptr);
  }

  /// The directory of `--out` (default: the current one), created if needed: where the CSV
  /// and PNG files go.
  std::filesystem::path out() const {
    std::filesystem::path dir = text("--out", ".");
    std::filesystem::create_directories(dir);
    return dir;
  }

 private:
  int argc_;
  char** argv_;
};

/// Writes `script` to `dir/name.gp` and runs gnuplot on it in `dir` (the script names its
/// CSV input and PNG output relative to there). Without gnuplot (Debian: gnuplot-nox), says
/// so: the CSV files are there all the same.
inline void plot(const std::filesystem::path& dir, const std::string& name, const std::string& script) {
  const std::filesystem::path gp = dir / (name + ".gp");
  std::ofstream(gp) << script;
  if (std::system("command -v gnuplot >/dev/null 2>&1") != 0) {
    std::printf("gnuplot is not installed (apt-get install gnuplot-nox): %s not drawn\n", gp.c_str());
    return;
  }
  const std::string command = "cd '" + dir.string() + "' && gnuplot '" + name + ".gp'";
  if (std::system(command.c_str()) == 0)
    std::printf("plotted %s\n", (dir / (name + ".png")).c_str());
  else
    std::printf("gnuplot failed on %s\n", gp.c_str());
}

}  // namespace example

#endif
