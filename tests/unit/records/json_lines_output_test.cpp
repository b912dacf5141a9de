// The JSON lines file: whole lines only, shared with other appenders, taken
// over again after logrotate, and no half line when the disk is full.
#include "records/json_lines_output.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "records/record_json.h"

namespace execmond {
namespace {

namespace fs = std::filesystem;

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

ExitRecord record(std::uint64_t seq) {
  ExitRecord r;
  r.sequence = seq;
  r.pid = 100 + static_cast<std::uint32_t>(seq);
  r.comm = "worker";
  return r;
}

class JsonLinesOutputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/execmond-json-lines-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    dir_ = dir;
    path_ = dir_ + "/exits.json";
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string dir_;
  std::string path_;
};

TEST_F(JsonLinesOutputTest, WritesOneLinePerRecordToANewFile) {
  const mode_t old_umask = ::umask(022);
  JsonLinesOutput output(path_);
  EXPECT_FALSE(fs::exists(path_)) << "opened at the first write, not before";
  ASSERT_TRUE(output.write(record(1)));
  ASSERT_TRUE(output.write(record(2)));
  ::umask(old_umask);
  EXPECT_EQ(read_all(path_), record_json_line(record(1)) + record_json_line(record(2)));
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640);
}

TEST_F(JsonLinesOutputTest, AppendsToWhatIsThere) {
  { std::ofstream(path_) << "{\"earlier\":true}\n"; }
  JsonLinesOutput output(path_);
  ASSERT_TRUE(output.write(record(1)));
  EXPECT_EQ(read_all(path_), "{\"earlier\":true}\n" + record_json_line(record(1)));
}

TEST_F(JsonLinesOutputTest, AFileLeftMidLineGetsTheNextRecordOnALineOfItsOwn) {
  { std::ofstream(path_) << "{\"cut\":"; }
  JsonLinesOutput output(path_);
  ASSERT_TRUE(output.write(record(1)));
  EXPECT_EQ(read_all(path_), "{\"cut\":\n" + record_json_line(record(1)));
}

TEST_F(JsonLinesOutputTest, TwoWritersInterleaveWholeLines) {
  JsonLinesOutput first(path_);
  JsonLinesOutput second(path_);
  for (std::uint64_t i = 0; i < 50; ++i) {
    ASSERT_TRUE(first.write(record(2 * i)));
    ASSERT_TRUE(second.write(record(2 * i + 1)));
  }
  const std::vector<std::string> lines = lines_of(read_all(path_));
  ASSERT_EQ(lines.size(), 100U);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i] + "\n", record_json_line(record(i))) << "line " << i;
  }
}

TEST_F(JsonLinesOutputTest, ReopenAfterRenameStartsANewFile) {
  JsonLinesOutput output(path_);
  ASSERT_TRUE(output.write(record(1)));
  fs::rename(path_, path_ + ".1");       // logrotate without copytruncate
  ASSERT_TRUE(output.write(record(2)));  // still the renamed file, until told
  ASSERT_TRUE(output.reopen());
  EXPECT_TRUE(fs::exists(path_)) << "reopen creates the file";
  ASSERT_TRUE(output.write(record(3)));
  EXPECT_EQ(read_all(path_ + ".1"), record_json_line(record(1)) + record_json_line(record(2)));
  EXPECT_EQ(read_all(path_), record_json_line(record(3)));
}

TEST_F(JsonLinesOutputTest, AFileThatCannotBeOpenedIsAnErrorNamingIt) {
  JsonLinesOutput output(dir_ + "/missing/exits.json");
  const Status written = output.write(record(1));
  ASSERT_FALSE(written);
  EXPECT_NE(written.error().message.find(dir_ + "/missing/exits.json"), std::string::npos)
      << written.error().message;
  EXPECT_NE(written.error().message.find("No such file"), std::string::npos);
}

// A full disk without privileges: RLIMIT_FSIZE makes write() stop short at
// the limit, as ENOSPC does mid-line (SIGXFSZ, which would kill, is ignored).
TEST_F(JsonLinesOutputTest, AShortWriteLeavesNoPartLineAndTheLineIsWrittenLater) {
  JsonLinesOutput output(path_);
  ASSERT_TRUE(output.write(record(1)));
  const std::string first = record_json_line(record(1));
  ExitRecord big = record(2);
  big.cmdline = std::vector<std::string>{std::string(4000, 'x')};
  const std::string second = record_json_line(big);

  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit limited = saved;
  limited.rlim_cur = first.size() + 100;  // room for part of the line only
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limited), 0);
  const Status cut = output.write(big);
  const Status again = output.write(big);  // cut back again: the file is as before
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &saved), 0);
  (void)std::signal(SIGXFSZ, old_handler);

  ASSERT_FALSE(cut);
  EXPECT_NE(cut.error().message.find("only 100 of"), std::string::npos) << cut.error().message;
  EXPECT_FALSE(again);
  EXPECT_EQ(read_all(path_), first) << "the part of the line was cut back off";
  ASSERT_TRUE(output.write(big));
  EXPECT_EQ(read_all(path_), first + second);
}

// stdout as a non-blocking pipe that takes a long line in parts: the output
// waits for room and writes the rest, the line arrives whole.
TEST(JsonLinesStdoutTest, ALongLineReachesANonBlockingPipeWhole) {
  std::array<int, 2> pipe_fds{};
  ASSERT_EQ(::pipe2(pipe_fds.data(), O_CLOEXEC), 0);
  ASSERT_EQ(::fcntl(pipe_fds[1], F_SETFL, O_NONBLOCK), 0);
  std::fflush(stdout);
  const int saved_stdout = ::dup(STDOUT_FILENO);
  ASSERT_GE(saved_stdout, 0);
  ASSERT_EQ(::dup2(pipe_fds[1], STDOUT_FILENO), STDOUT_FILENO);
  ::close(pipe_fds[1]);

  std::string received;
  std::thread reader([&] {
    std::array<char, 4096> buf{};
    for (ssize_t n = 0; (n = ::read(pipe_fds[0], buf.data(), buf.size())) > 0;) {
      received.append(buf.data(), static_cast<std::size_t>(n));
      std::this_thread::sleep_for(std::chrono::microseconds(50));  // slower than the writer
    }
  });
  const std::string line = std::string(300'000, 'x') + "\n";
  Status written;
  {
    JsonLinesOutput output("-");
    written = output.write_line(line);
  }
  ::dup2(saved_stdout, STDOUT_FILENO);  // closes the pipe's last write end
  ::close(saved_stdout);
  reader.join();
  ::close(pipe_fds[0]);
  ASSERT_TRUE(written) << written.error().message;
  EXPECT_EQ(received, line);
}

}  // namespace
}  // namespace execmond
