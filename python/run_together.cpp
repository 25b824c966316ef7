// rife.run_together: the (prepare + interpolate) work of several engines at once, each on its own
// thread with the GIL released, in batch groups (rife::Engine::set_batch_group), so that engines on
// one shared model run their work in one forward pass when their padded size and flow scale match.
// This is what a server does with the requests of several sequences handed to it together.
#include "run_together.h"

#include <pybind11/stl.h>

#include <atomic>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>

#include "frame_arrays.h"

namespace rife_py {

namespace {

std::atomic<uint64_t> next_group{1};

std::string type_name(const py::handle& object) { return py::str(py::type::of(object).attr("__name__")); }

struct Job {
  Engine* engine = nullptr;
  InputFrame input;
  rife::FrameGeometry geometry;
  const Frame* previous = nullptr;
  std::vector<float> timesteps;
  rife::Ensemble ensemble = rife::Ensemble::None;
  std::vector<py::array> outputs;
  std::vector<rife::OutputPlanes> out_planes;
  // The batch group of the job's encoder work (jobs of the same padded size) and how many jobs it has.
  uint64_t encode_group = 0;
  int encode_streams = 0;
  // The pair's work key (padded size, flow scale), known once the frame is prepared: the scale of an
  // automatic-scale engine depends on the pair.
  bool interpolates = false;
  std::tuple<int, int, double> key;
  // Results, written by the job's thread.
  rife::FrameHandle prepared;
  std::exception_ptr error;
};

// One job as Python gave it: (engine, frame[, previous[, timesteps[, ensemble]]]). Checked here, with
// the GIL, so that the threads only compute.
void read_job(const py::handle& item, Job& job) {
  const char* form = "(engine, frame[, previous[, timesteps[, ensemble]]])";
  if (!py::isinstance<py::tuple>(item) && !py::isinstance<py::list>(item))
    throw py::value_error(std::string("a job is ") + form + ", not a " + type_name(item));
  const py::sequence t = py::reinterpret_borrow<py::sequence>(item);
  if (t.size() < 2 || t.size() > 5)
    throw py::value_error(std::string("a job is ") + form + ", not " + std::to_string(t.size()) + " items");
  if (!py::isinstance<Engine>(t[0]))
    throw py::value_error("a job's engine is a " + type_name(t[0]) + ", not a rife.Engine");
  job.engine = t[0].cast<Engine*>();
  job.geometry = job.engine->configured();
  job.input = input_frame(job.geometry, t[1]);
  if (t.size() > 2 && !t[2].is_none()) {
    if (!py::isinstance<Frame>(t[2]))
      throw py::value_error("a job's previous frame is a " + type_name(t[2]) + ", not a rife.Frame");
    job.previous = t[2].cast<const Frame*>();
    check_own(*job.engine, *job.previous, "previous");
  }
  if (t.size() > 3) job.timesteps = timesteps_of(t[3]);
  if (t.size() > 4) job.ensemble = ensemble_of(t[4]);
  if (!job.timesteps.empty() && !job.previous)
    throw py::value_error("timesteps without a previous frame: there is no pair to interpolate");
  for (size_t i = 0; i < job.timesteps.size(); ++i) {
    job.outputs.push_back(new_packed_frame(job.geometry));
    job.out_planes.push_back(output_planes(job.geometry, job.outputs.back()));
  }
}

// Encoder groups, known before anything runs: the jobs of each padded size.
void assign_encode_groups(std::vector<Job*>& jobs) {
  std::map<std::pair<int, int>, std::vector<Job*>> by_size;
  for (Job* job : jobs)
    by_size[{job->engine->engine().padded_width(), job->engine->engine().padded_height()}].push_back(job);
  for (auto& [size, members] : by_size) {
    const uint64_t group = next_group++;
    for (Job* job : members) job->encode_group = group, job->encode_streams = int(members.size());
  }
}

// Where the jobs' threads meet between preparing and interpolating: each publishes its pair's key
// (or none: no timesteps, or its prepare failed), and once all have, each finds its interpolation
// group, the jobs with its key. Every thread arrives, whatever happened to its job.
class Meeting {
 public:
  Meeting(std::vector<Job*> jobs, uint64_t first_group) : jobs_(std::move(jobs)), first_group_(first_group) {}

  // Returns (group, streams) for `job`'s interpolation.
  std::pair<uint64_t, int> arrive(const Job& job) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (++arrived_ == jobs_.size()) all_.notify_all();
    all_.wait(lock, [this] { return arrived_ == jobs_.size(); });
    if (!job.interpolates) return {0, 0};
    int streams = 0;
    size_t first = jobs_.size();
    for (size_t i = 0; i < jobs_.size(); ++i)
      if (jobs_[i]->interpolates && jobs_[i]->key == job.key) {
        ++streams;
        first = std::min(first, i);
      }
    return {first_group_ + first, streams};
  }

 private:
  const std::vector<Job*> jobs_;
  const uint64_t first_group_;
  std::mutex mutex_;
  std::condition_variable all_;
  size_t arrived_ = 0;
};

void run(Job& job, Meeting& meeting) {
  bool met = false;
  try {
    std::lock_guard<std::mutex> lock(job.engine->mutex());
    rife::Engine& engine = job.engine->engine();
    try {
      engine.set_batch_group(job.encode_group, job.encode_streams);
      job.prepared = engine.prepare(job.input.planes);
      if (!job.timesteps.empty()) {
        job.key = {engine.padded_width(), engine.padded_height(),
                   job.engine->pair_scale(job.previous->handle, job.prepared)};
        job.interpolates = true;
      }
      met = true;
      const auto [group, streams] = meeting.arrive(job);
      if (job.interpolates) {
        engine.set_batch_group(group, streams);
        engine.interpolate(job.previous->handle, job.prepared, job.timesteps, job.out_planes, job.ensemble);
      }
    } catch (...) {
      engine.set_batch_group(0, 0);
      throw;
    }
    engine.set_batch_group(0, 0);
  } catch (...) {
    job.error = std::current_exception();
    if (!met) {  // the others wait for this job's arrival; after it, they may be reading its key
      job.interpolates = false;
      meeting.arrive(job);
    }
  }
}

// The Python exception object for a job's failure (returned, not raised).
py::object exception_object(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const rife::Error& e) {
    return error_type()(e.what());
  } catch (const py::builtin_exception& e) {  // value_error, cast_error...: as pybind11 would raise them
    e.set_error();
    return py::error_already_set().value();
  } catch (const py::error_already_set& e) {
    return e.value();
  } catch (const std::exception& e) {
    return py::reinterpret_borrow<py::object>(PyExc_RuntimeError)(e.what());
  }
}

py::list run_together(const py::sequence& items) {
  std::vector<Job> jobs(items.size());
  std::vector<std::exception_ptr> refused(items.size());
  std::vector<Job*> runnable;
  std::set<const Engine*> engines;
  for (size_t i = 0; i < jobs.size(); ++i) {
    try {
      read_job(items[i], jobs[i]);
      if (!engines.insert(jobs[i].engine).second)
        throw py::value_error("job " + std::to_string(i) + ": its engine is already in this call (one job per engine)");
      runnable.push_back(&jobs[i]);
    } catch (py::error_already_set&) {
      refused[i] = std::current_exception();
    } catch (std::exception&) {
      refused[i] = std::current_exception();
    }
  }
  assign_encode_groups(runnable);
  Meeting meeting(runnable, next_group.fetch_add(runnable.size() + 1));
  {
    py::gil_scoped_release unlocked;
    std::vector<std::thread> threads;
    for (size_t i = 1; i < runnable.size(); ++i) threads.emplace_back(run, std::ref(*runnable[i]), std::ref(meeting));
    if (!runnable.empty()) run(*runnable[0], meeting);
    for (auto& thread : threads) thread.join();
  }
  py::list results;
  for (size_t i = 0; i < jobs.size(); ++i) {
    Job& job = jobs[i];
    if (refused[i] || job.error) {
      results.append(exception_object(refused[i] ? refused[i] : job.error));
      continue;
    }
    Frame frame;
    frame.handle = job.prepared;
    frame.engine_id = job.engine->id();
    frame.geometry = job.geometry;
    py::list frames;
    for (auto& array : job.outputs) frames.append(array);
    results.append(py::make_tuple(py::cast(std::move(frame)), frames));
  }
  return results;
}

}  // namespace

void bind_run_together(py::module_& m) {
  m.def("run_together", &run_together, py::arg("jobs"),
        "Runs several engines' work at once, each job (engine, frame[, previous[, timesteps[, ensemble]]]) "
        "on its own thread without the GIL: prepares `frame` and, with timesteps, interpolates (previous, "
        "frame) at them. Jobs on one shared model whose padded size and flow scale match share forward "
        "passes (wait: the engines' batch_wait_us). Returns one result per job, in order: (Frame, [frames]), "
        "or the exception that job raised (returned, not raised: one job's failure leaves the others' "
        "results). One job per engine.");
}

}  // namespace rife_py
