// records.signals' spellings: the names kill -l gives, with or without SIG
// and in any case, and numbers; what describe() prints reads back.
#include "config/signal_names.h"

#include <gtest/gtest.h>

#include <csignal>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace execmond::detail {
namespace {

TEST(ConfigSignalNames, SpellingsOfOneSignal) {
  for (const char* spelling : {"SIGSEGV", "segv", "SEGV", "SegV", "sigsegv", "SigSegv", "11"}) {
    EXPECT_EQ(parse_signal(spelling), SIGSEGV) << spelling;
  }
  EXPECT_EQ(parse_signal("rtmin"), 34);
  EXPECT_EQ(parse_signal("SIGRTMIN+15"), 49);
  EXPECT_EQ(parse_signal("rtmax-14"), 50);
  EXPECT_EQ(parse_signal("SIGRTMAX"), 64);
  EXPECT_EQ(parse_signal("32"), 32);
  for (const char* not_one :
       {"", "SIG", "SIGSIGSEGV", "SIG11", "RTMIN+16", "RTMAX-15", "0", "65", "-1", "IOT", " 11"}) {
    EXPECT_EQ(parse_signal(not_one), std::nullopt) << not_one;
  }
}

// kill -l on Linux with glibc, line for line.
TEST(ConfigSignalNames, NamesAsKillListsThem) {
  const std::vector<std::pair<int, std::string>> names = {
      {1, "SIGHUP"},       {2, "SIGINT"},      {3, "SIGQUIT"},     {4, "SIGILL"},
      {5, "SIGTRAP"},      {6, "SIGABRT"},     {7, "SIGBUS"},      {8, "SIGFPE"},
      {9, "SIGKILL"},      {10, "SIGUSR1"},    {11, "SIGSEGV"},    {12, "SIGUSR2"},
      {13, "SIGPIPE"},     {14, "SIGALRM"},    {15, "SIGTERM"},    {16, "SIGSTKFLT"},
      {17, "SIGCHLD"},     {18, "SIGCONT"},    {19, "SIGSTOP"},    {20, "SIGTSTP"},
      {21, "SIGTTIN"},     {22, "SIGTTOU"},    {23, "SIGURG"},     {24, "SIGXCPU"},
      {25, "SIGXFSZ"},     {26, "SIGVTALRM"},  {27, "SIGPROF"},    {28, "SIGWINCH"},
      {29, "SIGIO"},       {30, "SIGPWR"},     {31, "SIGSYS"},     {32, "32"},
      {33, "33"},          {34, "SIGRTMIN"},   {35, "SIGRTMIN+1"}, {49, "SIGRTMIN+15"},
      {50, "SIGRTMAX-14"}, {63, "SIGRTMAX-1"}, {64, "SIGRTMAX"}};
  for (const auto& [number, name] : names) EXPECT_EQ(signal_text(number), name);
  // What describe() prints reads back as the same signal.
  for (int signal = 1; signal <= kMaxSignal; ++signal) {
    EXPECT_EQ(parse_signal(signal_text(signal)), signal) << signal;
  }
}

}  // namespace
}  // namespace execmond::detail
