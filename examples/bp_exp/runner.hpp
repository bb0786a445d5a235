// examples/bp_exp/runner.hpp -- runs planned experiment runs: files, resume, threads, progress.
//
// Per run, in OUT/<exp_dir>/: <stem>.json (report/run_report.hpp), <stem>.txt (the search log and
// segment costs), then <stem>.dat (the complete scheme, report/scheme_io.hpp, plus the method's
// buffer records). Every file is written to "<name>.tmp.<pid>" and renamed into place, and the
// .dat comes last: a .dat exists only for a finished run, so Ctrl-C or a kill at any moment leaves
// no file that marks an unfinished run done, and a rerun skips exactly the runs with a .dat (and
// removes the temporary files a killed run left behind).
//
// Runs go to `jobs` threads, each taking the next planned run; runs of one workload share one
// network and one per-layer schedule cache (results do not depend on the sharing or the thread
// count: with the quirks off the cache only saves time). A method that is not available yet is
// skipped with a note, never run with a stand-in.
//
// Test hook: with BP_EXP_TEST_HANG_BEFORE_COMMIT set in the environment, a run stops right after
// writing its temporary .dat, says so on stderr and waits to be killed (tests/cli/bp_exp_kill.sh).
#pragma once

#include <unistd.h>  // getpid, isatty

#include <atomic>        // std::atomic
#include <chrono>        // std::chrono
#include <cstdint>       // std::int64_t
#include <cstdio>        // std::fprintf, std::fflush
#include <cstdlib>       // std::getenv
#include <exception>     // std::exception
#include <filesystem>    // std::filesystem
#include <fstream>       // std::ifstream, std::ofstream
#include <map>           // std::map
#include <memory>        // std::shared_ptr
#include <mutex>         // std::mutex
#include <sstream>       // std::ostringstream
#include <string>        // std::string
#include <string_view>   // std::string_view
#include <thread>        // std::thread
#include <vector>        // std::vector

#include <bufferprospector/arch/cost_table.hpp>        // bp::tangram_costs
#include <bufferprospector/intra/layer_scheduler.hpp>  // bp::layer_schedule_cache
#include <bufferprospector/report/json.hpp>            // bp::json
#include <bufferprospector/report/run_report.hpp>      // bp::run_json, bp::run_log
#include <bufferprospector/report/scheme_io.hpp>       // bp::scheme_to_json
#include <bufferprospector/search/methods.hpp>         // bp::find_method
#include <bufferprospector/workload/zoo.hpp>           // bp::zoo::make

#include "experiments.hpp"  // bp_exp::planned_run

namespace bp_exp {

namespace fs = std::filesystem;

//
// Files
//

/// The files of one run.
struct run_paths {
  fs::path json, txt, dat;
  run_paths(const fs::path& out, const planned_run& r) {
    const fs::path base = out / r.exp_dir / r.id.stem();
    json = base;
    json += ".json";
    txt = base;
    txt += ".txt";
    dat = base;
    dat += ".dat";
  }
};

/// A run is done when its .dat exists.
inline bool run_done(const fs::path& out, const planned_run& r) { return fs::exists(run_paths(out, r).dat); }

inline std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline fs::path temp_path(const fs::path& p) {
  fs::path t = p;
  t += ".tmp." + std::to_string(::getpid());
  return t;
}

/// Writes the whole text to a temporary file; returns its path. Throws std::runtime_error.
inline fs::path write_temp(const fs::path& p, std::string_view text) {
  const fs::path tmp = temp_path(p);
  std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
  f.write(text.data(), static_cast<std::streamsize>(text.size()));
  f.flush();
  if (!f) throw std::runtime_error("cannot write " + tmp.string());
  return tmp;
}

/// Writes `text` to `p` atomically: readers see the old file, or none, or all of the new one.
inline void write_atomically(const fs::path& p, std::string_view text) { fs::rename(write_temp(p, text), p); }

/// Removes the temporary files of the run with stem `stem` that an interrupted process left.
inline void remove_stale_temps(const fs::path& dir, const std::string& stem) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(stem + ".", 0) == 0 && name.find(".tmp.") != std::string::npos) fs::remove(e.path(), ec);
  }
}

//
// Progress
//

/// What became of a run.
enum class run_status { done, no_schedule, done_before, unavailable, failed };

/// Progress on stderr: a bar redrawn in place on a terminal, one plain line per run otherwise.
class progress_reporter {
 public:
  progress_reporter(std::size_t total, bool terminal, bool quiet = false)
      : total_(total), terminal_(terminal), quiet_(quiet) {}

  void started(const planned_run& r) {
    if (quiet_) return;
    std::lock_guard<std::mutex> lock(mutex_);
    current_ = r.id.net + " " + r.id.method + "/" + r.id.policy + " " + std::string(bp::to_string(r.id.goal));
    if (terminal_) draw();
  }

  void finished(const planned_run& r, run_status s, double seconds, const std::string& detail) {
    if (quiet_) return;
    std::lock_guard<std::mutex> lock(mutex_);
    ++finished_;
    if (terminal_) {
      if (s == run_status::failed) {
        std::fprintf(stderr, "\r\033[K%s: failed: %s\n", r.id.stem().c_str(), detail.c_str());
      }
      draw();
      return;
    }
    if (s == run_status::done_before || s == run_status::unavailable) return;  // counted in the summary
    const char* what = s == run_status::done ? "done" : s == run_status::no_schedule ? "no valid schedule" : "FAILED";
    std::fprintf(stderr, "[%zu/%zu] %s/%s: %s in %.2f s%s%s\n", finished_, total_, r.exp_dir.c_str(),
                 r.id.stem().c_str(), what, seconds, detail.empty() ? "" : ": ", detail.c_str());
    std::fflush(stderr);
  }

  void close() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (terminal_ && !quiet_) std::fprintf(stderr, "\n");
  }

 private:
  void draw() {
    constexpr std::size_t width = 30;
    const std::size_t filled = total_ == 0 ? width : width * finished_ / total_;
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::fprintf(stderr, "\r\033[K[%s%s] %zu/%zu runs  %d:%02d  %s", std::string(filled, '#').c_str(),
                 std::string(width - filled, '.').c_str(), finished_, total_, static_cast<int>(secs) / 60,
                 static_cast<int>(secs) % 60, current_.c_str());
    std::fflush(stderr);
  }

  std::mutex mutex_;
  std::size_t total_;
  std::size_t finished_ = 0;
  bool terminal_;
  bool quiet_;
  std::string current_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

//
// Running
//

/// How to run.
struct runner_options {
  fs::path out = "bp-out";
  unsigned jobs = 1;
  bool terminal = false;  ///< draw a progress bar (stderr is a terminal)
  bool quiet = false;     ///< no progress output at all
};

/// What happened, for the closing summary and the exit status.
struct execution_summary {
  std::size_t planned = 0;
  std::size_t done = 0;          ///< ran now (with or without a schedule)
  std::size_t no_schedule = 0;   ///< of those, without a valid schedule
  std::size_t done_before = 0;   ///< skipped: .dat present
  std::size_t failed = 0;        ///< an error stopped the run (no .dat written)
  std::map<std::string, std::size_t> unavailable;  ///< method -> runs skipped
  std::vector<std::string> failures;               ///< one line each
  double seconds = 0;
};

namespace detail {

/// A workload's network and the schedule cache its runs share.
struct workload_state {
  std::shared_ptr<const bp::network> net;
  std::shared_ptr<bp::layer_schedule_cache> cache;
};

class workload_pool {
 public:
  workload_state get(const std::string& name) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = pool_.find(name);
    if (it == pool_.end())
      it = pool_.emplace(name, workload_state{std::make_shared<const bp::network>(bp::zoo::make(name)),
                                              std::make_shared<bp::layer_schedule_cache>()})
               .first;
    return it->second;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, workload_state> pool_;
};

inline bp::json::value buffers_json(const bp::method_outcome& o) {
  bp::json::value a = bp::json::value::array();
  for (const bp::segment_buffer_use& b : o.buffers) {
    bp::json::value x = bp::json::value::object();
    x.set("segment", b.segment);
    bp::json::value usage = bp::json::value::array(), held = bp::json::value::array();
    for (const auto w : b.usage) usage.push_back(w);
    for (const auto w : b.held) held.push_back(w);
    x.set("usage", std::move(usage));
    x.set("held", std::move(held));
    x.set("relaxed", b.relaxed);
    x.set("failed_alloc", b.failed_alloc);
    a.push_back(std::move(x));
  }
  return a;
}

/// The .dat: the run's identity, the method's records and the complete best scheme.
inline std::string dat_text(const bp::run_result& r, const bp::network& net, const bp::method_outcome& o) {
  bp::json::value run = bp::json::value::object();
  run.set("exp", r.ctx.exp);
  run.set("net", r.ctx.id.net);
  run.set("cfg", r.ctx.id.point.tag());
  run.set("point", bp::to_json(r.ctx.id.point));
  run.set("method", r.ctx.id.method);
  run.set("policy", r.ctx.id.policy);
  run.set("goal", std::string(bp::to_string(r.ctx.id.goal)));
  run.set("status", r.metrics ? "ok" : "no_schedule");
  run.set("failed_layer", r.failed_layer ? bp::json::value(*r.failed_layer) : bp::json::value(nullptr));
  bp::json::value outcome = bp::json::value::object();
  outcome.set("buffers", buffers_json(o));
  bp::json::value held = bp::json::value::array();
  for (const bp::hold_report& e : o.held_edges) held.push_back(bp::to_json(e, net));
  outcome.set("held_edges", std::move(held));
  outcome.set("failed_alloc_segments", o.failed_alloc_segments);
  bp::json::value d = bp::json::value::object();
  d.set("bp_exp_dat", std::int64_t{1});
  d.set("run", std::move(run));
  d.set("outcome", std::move(outcome));
  d.set("scheme", r.metrics ? bp::scheme_to_json(o.search.tops.front(), {r.ctx.id.net, r.ctx.opt, r.ctx.cost})
                            : bp::json::value(nullptr));
  return bp::json::dump(d) + "\n";
}

[[noreturn]] inline void hang_for_test(const fs::path& tmp) {
  std::fprintf(stderr, "bp-exp: test hook: wrote %s, waiting to be killed\n", tmp.string().c_str());
  std::fflush(stderr);
  for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
}

/// Runs one planned run (the method is available); writes its files.
inline run_status execute_one(const planned_run& r, const fs::path& out, workload_pool& pool, std::string& note) {
  const bp::method_entry m = bp::find_method(r.id.method);
  const workload_state w = pool.get(r.id.net);
  const bp::resource chip = r.id.point.make_resource();
  const bp::options opt = r.id.point.make_options(r.id.goal);
  const bp::cost_values costs{bp::tangram_costs{}};
  const bp::method_problem problem{*w.net, r.id.point.batch, chip, costs, opt, r.id.policy, r.id.point.max_util_drop,
                                   w.cache};
  const auto start = std::chrono::steady_clock::now();
  const bp::method_outcome outcome = bp::run_method(r.id.method, problem);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const bp::run_result result = bp::make_run_result(
      {r.exp, r.id, std::string(m.fallback), chip, opt, bp::report::tangram_cost{}, seconds}, *w.net, outcome);
  const run_paths paths(out, r);
  fs::create_directories(paths.dat.parent_path());
  remove_stale_temps(paths.dat.parent_path(), r.id.stem());
  write_atomically(paths.json, bp::json::dump(bp::run_json(result, *w.net, outcome)) + "\n");
  write_atomically(paths.txt, bp::run_log(result, *w.net, outcome));
  const fs::path tmp = write_temp(paths.dat, dat_text(result, *w.net, outcome));  // last: marks the run done
  if (std::getenv("BP_EXP_TEST_HANG_BEFORE_COMMIT")) hang_for_test(tmp);
  fs::rename(tmp, paths.dat);
  if (result.metrics) return run_status::done;
  note = "layer " + result.failed_layer.value_or("?") + " has none";
  return run_status::no_schedule;
}

}  // namespace detail

/// Runs every planned run that is not done yet, on `o.jobs` threads.
inline execution_summary execute(const std::vector<planned_run>& runs, const runner_options& o) {
  execution_summary sum;
  sum.planned = runs.size();
  progress_reporter progress(runs.size(), o.terminal, o.quiet);
  detail::workload_pool pool;
  std::mutex mutex;
  std::atomic<std::size_t> next{0};
  const auto start = std::chrono::steady_clock::now();

  const auto worker = [&] {
    for (std::size_t i = next++; i < runs.size(); i = next++) {
      const planned_run& r = runs[i];
      run_status s;
      std::string note;
      const auto t0 = std::chrono::steady_clock::now();
      if (run_done(o.out, r)) {
        s = run_status::done_before;
      } else if (!bp::find_method(r.id.method).available()) {
        s = run_status::unavailable;
      } else {
        progress.started(r);
        try {
          s = detail::execute_one(r, o.out, pool, note);
        } catch (const std::exception& e) {
          s = run_status::failed;
          note = e.what();
        }
      }
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      {
        std::lock_guard<std::mutex> lock(mutex);
        switch (s) {
          case run_status::done: ++sum.done; break;
          case run_status::no_schedule: ++sum.done, ++sum.no_schedule; break;
          case run_status::done_before: ++sum.done_before; break;
          case run_status::unavailable: ++sum.unavailable[r.id.method]; break;
          case run_status::failed:
            ++sum.failed;
            sum.failures.push_back(r.exp_dir + "/" + r.id.stem() + ": " + note);
            break;
        }
      }
      progress.finished(r, s, secs, note);
    }
  };
  const unsigned n = std::max(1u, std::min<unsigned>(o.jobs, static_cast<unsigned>(std::max<std::size_t>(runs.size(), 1))));
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < n; ++t) threads.emplace_back(worker);
  worker();
  for (std::thread& t : threads) t.join();
  progress.close();
  sum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return sum;
}

/// The closing lines of `bp-exp overall|dse`.
inline std::string summary_text(const std::string& exp, const execution_summary& s) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f", s.seconds);
  std::string t = exp + ": " + std::to_string(s.planned) + " runs planned; " + std::to_string(s.done) + " ran now (" +
                  std::to_string(s.no_schedule) + " without a valid schedule), " + std::to_string(s.done_before) +
                  " done before (skipped), " + std::to_string(s.failed) + " failed; " + buf + " s\n";
  for (const auto& [method, count] : s.unavailable)
    t += "  skipped " + std::to_string(count) + " " + method + " runs: method not available yet (" +
         std::string(bp::find_method(method).pending) + ")\n";
  for (const std::string& f : s.failures) t += "  failed: " + f + "\n";
  return t;
}

}  // namespace bp_exp
